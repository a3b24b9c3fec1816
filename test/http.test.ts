import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { harness } from '#harness'
import { createApp, GLOBAL_MIDDLEWARE } from '../src/app'
import type { AppEnv } from '../src/env'
import { handleError } from '../src/http/errors'
import { ApiError } from '../src/http/problem'
import { requestLogger } from '../src/middleware/logger'
import { bookInput } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

describe('errors are RFC 9457 problem details', () => {
  it('404 for an unknown route', async () => {
    const response = await api('GET', '/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(response.headers.get('Content-Type')).toBe('application/problem+json')
    expect(await json(response)).toMatchObject({
      type: '/problems/not-found',
      status: 404,
      instance: '/v1/nothing-here',
    })
  })

  it('405 with Allow for a known path and the wrong method', async () => {
    const response = await api('PUT', '/v1/books')
    expect(response.status).toBe(405)
    expect(response.headers.get('Allow')).toBe('GET, POST, HEAD')
    const item = await api('POST', '/v1/books/bk_00000000000000000000000000')
    expect(item.status).toBe(405)
    expect(item.headers.get('Allow')).toContain('PATCH')
    // The app routes a trailing slash like the path without it, so the 405 answers there too.
    expect((await api('GET', '/v1/books/')).status).toBe(200)
    expect((await api('DELETE', '/v1/books/')).headers.get('Allow')).toBe('GET, POST, HEAD')
  })

  it('500 carries the request id and nothing internal', async () => {
    const app = new Hono<AppEnv>()
    app.use(async (c, next) => {
      c.set('requestId', 'req-123')
      await next()
    })
    app.get('/boom', () => {
      throw new Error('SQLITE_ERROR: no such column: secret_stuff at /src/db.ts:12')
    })
    app.onError(handleError)
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await app.request('/boom')
    expect(response.status).toBe(500)
    const body = await response.text()
    expect(body).toContain('req-123')
    expect(body).not.toMatch(/SQLITE|secret_stuff|db\.ts|stack/i)
    expect(spy).toHaveBeenCalled()
  })

  it('ApiError headers reach the response', async () => {
    const app = new Hono<AppEnv>()
    app.get('/limited', () => {
      throw new ApiError(429, { title: 'Too many requests', headers: { 'Retry-After': '30' } })
    })
    app.onError(handleError)
    const response = await app.request('/limited')
    expect(response.status).toBe(429)
    expect(response.headers.get('Retry-After')).toBe('30')
  })
})

describe('request id, logs and headers', () => {
  afterEach(() => vi.restoreAllMocks())

  it('echoes a client X-Request-Id and generates one otherwise', async () => {
    const echoed = await api('GET', '/health', { headers: { 'X-Request-Id': 'client-id-42' } })
    expect(echoed.headers.get('X-Request-Id')).toBe('client-id-42')
    const generated = await api('GET', '/health')
    expect(generated.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('writes one JSON log line with the route pattern and no secrets', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const app = new Hono<AppEnv>()
    app.use(async (c, next) => {
      c.set('requestId', 'req-log')
      c.set('user', { id: 'usr_1', role: 'customer' })
      await next()
    })
    app.use(requestLogger())
    app.post('/v1/things/:id', (c) => c.json({ ok: true }))
    await app.request('/v1/things/th_123?token=secret', {
      method: 'POST',
      headers: { Authorization: 'Bearer secret-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: 'hunter2' }),
    })
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]!)
    expect(line).toMatchObject({
      msg: 'request',
      method: 'POST',
      route: '/v1/things/:id',
      status: 200,
      requestId: 'req-log',
      userId: 'usr_1',
    })
    expect(typeof line.durationMs).toBe('number')
    expect(lines[0]).not.toMatch(/secret|hunter2|th_123/)
  })

  it('sends secure headers and Server-Timing', async () => {
    const response = await api('GET', '/v1/books?limit=1')
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'")
    expect(response.headers.get('Strict-Transport-Security')).toContain('max-age=')
    expect(response.headers.get('Server-Timing')).toContain('total')
  })

  it("gives API answers the OWASP REST set, and the docs page Hono's whole set", async () => {
    const answer = await api('GET', '/v1/books?limit=1')
    expect(answer.headers.get('X-Frame-Options')).toBe('DENY')
    expect(answer.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'")
    expect(answer.headers.get('Referrer-Policy')).toBe('no-referrer')
    expect(answer.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin')
    // Headers that only act on a rendered document are left off JSON and XML answers.
    for (const name of [
      'Cross-Origin-Opener-Policy',
      'Cross-Origin-Embedder-Policy',
      'Origin-Agent-Cluster',
      'X-DNS-Prefetch-Control',
      'X-Download-Options',
      'X-Permitted-Cross-Domain-Policies',
      'X-XSS-Protection',
    ])
      expect(answer.headers.get(name), name).toBeNull()
    // A browser navigating to the URL negotiates XML, a document it renders: that answer gets the whole set.
    const navigated = await api('GET', '/v1/books?limit=1', {
      headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    })
    expect(navigated.headers.get('Content-Type')).toContain('application/xml')
    expect(navigated.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin')
    expect(navigated.headers.get('X-Permitted-Cross-Domain-Policies')).toBe('none')
    expect(navigated.headers.get('X-Frame-Options')).toBe('DENY')
    expect(navigated.headers.get('Content-Security-Policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    )
    const page = await api('GET', '/docs')
    expect(page.headers.get('Content-Type')).toContain('text/html')
    expect(page.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin')
    expect(page.headers.get('X-Frame-Options')).toBe('SAMEORIGIN')
    expect(page.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(page.headers.get('Strict-Transport-Security')).toContain('max-age=')
  })

  it('gives problems the request id and the rate-limit policy too', async () => {
    const sent = { 'X-Request-Id': 'req-problem-1' }
    const missing = await api('GET', '/v1/books/bk_00000000000000000000000000', { headers: sent })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('X-Request-Id')).toBe('req-problem-1')
    // Rate limits need the Workers binding (Node runs without one: nothing is limited, no policy is announced).
    if (harness.runtime === 'workerd')
      expect(missing.headers.get('RateLimit-Policy')).toMatch(/"ip";q=\d+;w=\d+/)
    const anonymous = await api('GET', '/v1/me')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('X-Request-Id')).toBe(
      (await json<{ requestId: string }>(anonymous)).requestId,
    )
    const unknown = await api('GET', '/v1/nothing-here', { headers: sent })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('X-Request-Id')).toBe('req-problem-1')
    const wrongType = await api('POST', '/v1/auth/login', {
      headers: { ...sent, 'Content-Type': 'text/plain' },
      body: 'x',
    })
    expect(wrongType.status).toBe(415)
    expect(wrongType.headers.get('X-Request-Id')).toBe('req-problem-1')
  })

  it('says Vary: Accept only where the answer has an XML form', async () => {
    expect((await api('GET', '/v1/books?limit=1')).headers.get('Vary')).toMatch(/Accept/)
    expect((await api('GET', '/v1/nothing-here')).headers.get('Vary')).toMatch(/Accept/)
    expect((await api('GET', '/docs')).headers.get('Vary') ?? '').not.toMatch(/Accept/)
  })

  it('runs every global middleware outside bench mode, whatever skipMiddleware says', async () => {
    const app = createApp({ skipMiddleware: [...GLOBAL_MIDDLEWARE] })
    const response = await app.request('/v1/books?limit=1', {}, harness.env)
    expect(response.status).toBe(200)
    expect(response.headers.get('X-Request-Id')).toBeTruthy()
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('Server-Timing')).toContain('total')
    expect(response.headers.get('Vary')).toMatch(/Origin/)
  })

  it('marks authenticated responses private', async () => {
    const response = await api('POST', '/v1/books', { token: await adminToken(), body: bookInput() })
    expect(response.status).toBe(201)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
  })
})

describe('CORS', () => {
  it('answers a preflight from an allowed origin', async () => {
    const response = await api('OPTIONS', '/v1/books', {
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example')
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('POST')
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization')
  })

  it('gives a disallowed origin no CORS grant', async () => {
    const preflight = await api('OPTIONS', '/v1/books', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    })
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull()
    const simple = await api('GET', '/v1/books?limit=1', { headers: { Origin: 'https://evil.example' } })
    expect(simple.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })
})
