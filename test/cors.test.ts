import { describe, expect, it } from 'vitest'
import { client, register, uniqueIp } from './helpers/accounts'
import { api } from './helpers/http'

// CORS_ORIGINS in the test config: http://localhost:3000 and https://shop.example.
const ALLOWED = 'https://shop.example'
const FOREIGN = 'https://evil.example'

function preflight(origin: string, method: string, headers: string) {
  return api('OPTIONS', '/v1/auth/refresh', {
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': headers,
    },
  })
}

describe('CORS for browsers that send the refresh cookie', () => {
  it('grants credentials to an allowed origin, on the preflight and on the answer', async () => {
    const check = await preflight(ALLOWED, 'POST', 'content-type')
    expect(check.status).toBe(204)
    expect(check.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED)
    expect(check.headers.get('Access-Control-Allow-Credentials')).toBe('true')

    const { email, password } = await register()
    const login = await api('POST', '/v1/auth/login', {
      body: { email, password, cookie: true },
      headers: { ...client(uniqueIp()), Origin: ALLOWED },
    })
    expect(login.status).toBe(200)
    expect(login.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED)
    expect(login.headers.get('Access-Control-Allow-Credentials')).toBe('true')
    expect(login.headers.get('Vary')).toMatch(/Origin/)
  })

  it('grants them on errors too, so the page can read the problem', async () => {
    const refused = await api('POST', '/v1/auth/refresh', { body: {}, headers: { Origin: ALLOWED } })
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED)
    expect(refused.headers.get('Access-Control-Allow-Credentials')).toBe('true')
  })

  it('keeps the grant on a 304, so a conditional request from the page is readable', async () => {
    const first = await api('GET', '/v1/books?limit=1', { headers: { Origin: ALLOWED } })
    const etag = first.headers.get('ETag')!
    const notModified = await api('GET', '/v1/books?limit=1', {
      headers: { Origin: ALLOWED, 'If-None-Match': etag },
    })
    expect(notModified.status).toBe(304)
    expect(notModified.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED)
    expect(notModified.headers.get('Access-Control-Allow-Credentials')).toBe('true')
    expect(notModified.headers.get('Access-Control-Expose-Headers')).toContain('ETag')
  })

  it('never grants credentials (or an origin, or *) to an origin outside CORS_ORIGINS', async () => {
    const check = await preflight(FOREIGN, 'POST', 'content-type')
    expect(check.headers.get('Access-Control-Allow-Origin')).toBeNull()
    expect(check.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    const read = await api('GET', '/v1/books?limit=1', { headers: { Origin: FOREIGN } })
    expect(read.status).toBe(200)
    expect(read.headers.get('Access-Control-Allow-Origin')).toBeNull()
    expect(read.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    const noOrigin = await api('GET', '/v1/books?limit=1')
    expect(noOrigin.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    // Exposed headers are for an allowed origin's page only; every answer still varies by Origin.
    for (const answer of [read, noOrigin]) {
      expect(answer.headers.get('Access-Control-Expose-Headers')).toBeNull()
      expect(answer.headers.get('Vary')).toMatch(/Origin/)
    }
    const allowed = await api('GET', '/v1/books?limit=1', { headers: { Origin: ALLOWED } })
    expect(allowed.headers.get('Access-Control-Expose-Headers')).toContain('X-Request-Id')
  })

  it('allows every request header the README tells clients to send', async () => {
    const documented = [
      'authorization',
      'content-type',
      'accept',
      'cache-control',
      'if-none-match',
      'idempotency-key',
      'x-request-id',
      'x-d1-bookmark',
    ]
    const check = await preflight(ALLOWED, 'GET', documented.join(', '))
    const allowed = (check.headers.get('Access-Control-Allow-Headers') ?? '').toLowerCase().split(/\s*,\s*/)
    expect(allowed).toEqual(expect.arrayContaining(documented))
  })
})
