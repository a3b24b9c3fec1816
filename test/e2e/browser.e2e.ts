// The browser sign-in flow of the README ("Browsers: the refresh token as a cookie"), in a real Chromium:
// a storefront page on an allowed origin signs in with `cookie: true` and `credentials: 'include'`, refreshes
// through the HttpOnly cookie and signs out; pages on origins outside CORS_ORIGINS cannot use the cookie.
//
// Ports: the API on 8804 (`npm run dev` in a fresh copy of the project), the storefront on http://localhost:8805
// (in CORS_ORIGINS), a foreign page on http://localhost:8806 (same site, not allowed) and http://127.0.0.1:8806
// (another site). Chromium is Debian's (`apt-get install chromium`), driven by playwright-core.
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDevServer } from './helpers/processes'

const API_PORT = Number(process.env.E2E_API_PORT ?? 8804)
const STORE_PORT = API_PORT + 1
const FOREIGN_PORT = API_PORT + 2
const API = `http://localhost:${API_PORT}`
const STOREFRONT = `http://localhost:${STORE_PORT}`
const SAME_SITE_FOREIGN = `http://localhost:${FOREIGN_PORT}`
const CROSS_SITE_FOREIGN = `http://127.0.0.1:${FOREIGN_PORT}`
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const COOKIE = '__Secure-folio_refresh'

let api: Awaited<ReturnType<typeof freshDevServer>>
let pages: Server[] = []
let browser: Browser
let context: BrowserContext

/** A blank page: the origin is what matters. */
function pageServer(port: number): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    response.end('<!doctype html><meta charset="utf-8"><title>page</title><p>storefront</p>')
  })
  return new Promise((done) => server.listen(port, '127.0.0.1', () => done(server)))
}

type Answer = { status: number; body: unknown; headers: Record<string, string> }

/** fetch() from inside the page, as a storefront's code would call it. */
async function pageFetch(page: Page, path: string, init: Record<string, unknown>): Promise<Answer> {
  return page.evaluate(
    async ({ url, init }) => {
      const response = await fetch(url, init as RequestInit)
      const text = await response.text()
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        headers[name] = value
      })
      return { status: response.status, body: text ? JSON.parse(text) : null, headers }
    },
    { url: `${API}${path}`, init },
  )
}

const jsonPost = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  credentials: 'include',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

/** The browser's cookie jar (all of it: Playwright's per-URL filter hides Secure cookies from http URLs). */
async function refreshCookie() {
  return (await context.cookies()).find((cookie) => cookie.name === COOKIE && cookie.domain === 'localhost')
}

async function openPage(origin: string): Promise<Page> {
  const page = await context.newPage()
  page.on('requestfailed', (request) =>
    console.error(`[browser] ${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
  )
  page.on('console', (message) => console.error(`[browser console] ${message.text()}`))
  await page.goto(`${origin}/`)
  return page
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`)
  pages = [await pageServer(STORE_PORT), await pageServer(FOREIGN_PORT)]
  api = await freshDevServer(
    API_PORT,
    ['--ip', '127.0.0.1', '--var', `CORS_ORIGINS:${STOREFRONT}`],
    '127.0.0.1',
  )
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  context = await browser.newContext()
})

afterAll(async () => {
  await browser?.close()
  await api?.stop()
  await Promise.all(pages.map((server) => new Promise((done) => server.close(done))))
})

describe('the refresh cookie in Chromium', () => {
  const email = `browser-${Date.now()}@example.com`
  const password = 'a long browser passphrase'
  let storefront: Page

  it('signs in from the storefront with cookie: true; the cookie is HttpOnly, Secure, SameSite=Strict on /v1/auth', async () => {
    storefront = await openPage(STOREFRONT)
    const registered = await pageFetch(
      storefront,
      '/v1/auth/register',
      jsonPost({ email, password, name: 'Ada' }),
    )
    expect(registered.status).toBe(201)

    const login = await pageFetch(storefront, '/v1/auth/login', jsonPost({ email, password, cookie: true }))
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({ tokenType: 'Bearer' })
    expect(login.body).not.toHaveProperty('refreshToken')
    // http://localhost is a secure context in Chromium, so it keeps a Secure, __Secure- cookie over plain http.
    expect(await refreshCookie()).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/v1/auth',
      domain: 'localhost',
    })
    expect(await storefront.evaluate(() => document.cookie)).not.toContain(COOKIE)

    const me = await pageFetch(storefront, '/v1/me', {
      headers: { Authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` },
    })
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ email })
  })

  it('sends the headers the README documents (Cache-Control, X-D1-Bookmark) and reads the exposed ones', async () => {
    const first = await pageFetch(storefront, '/v1/books?limit=1', {
      headers: { 'Cache-Control': 'no-cache' },
    })
    expect(first.status).toBe(200)
    const bookmark = first.headers['x-d1-bookmark']
    expect(bookmark).toBeTruthy()
    const next = await pageFetch(storefront, '/v1/books?limit=1', {
      headers: { 'X-D1-Bookmark': bookmark!, 'If-None-Match': first.headers.etag ?? '"none"' },
    })
    // A conditional request the page makes itself gets the 304, which must carry the CORS grant to be readable.
    expect(next.status).toBe(304)
  })

  it('refreshes through the cookie alone, which rotates', async () => {
    const before = (await refreshCookie())?.value
    const refreshed = await pageFetch(storefront, '/v1/auth/refresh', jsonPost({ cookie: true }))
    expect(refreshed.status).toBe(200)
    expect(refreshed.body).toHaveProperty('accessToken')
    const after = (await refreshCookie())?.value
    expect(after).toBeTruthy()
    expect(after).not.toBe(before)
  })

  it('refuses the cookie to a same-site page outside CORS_ORIGINS (preflight denied; a simple request is 403)', async () => {
    const foreign = await openPage(SAME_SITE_FOREIGN)
    // A JSON request needs a preflight, which the API does not grant: the browser never sends it.
    const blocked = await foreign.evaluate(async (url) => {
      try {
        await fetch(url, {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        })
        return 'sent'
      } catch (error) {
        return (error as Error).name
      }
    }, `${API}/v1/auth/refresh`)
    expect(blocked).toBe('TypeError')
    // A request that needs no preflight carries the cookie (same site), and the Origin check refuses it.
    const [answer] = await Promise.all([
      foreign.waitForResponse(`${API}/v1/auth/refresh`),
      foreign.evaluate(
        (url) => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' }).then(() => 'done'),
        `${API}/v1/auth/refresh`,
      ),
    ])
    expect(answer.status()).toBe(403)
    await foreign.close()
  })

  it('does not send the cookie at all from another site (SameSite=Strict)', async () => {
    const crossSite = await openPage(CROSS_SITE_FOREIGN)
    const [answer] = await Promise.all([
      crossSite.waitForResponse(`${API}/v1/auth/refresh`),
      crossSite.evaluate(
        (url) => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' }).then(() => 'done'),
        `${API}/v1/auth/refresh`,
      ),
    ])
    expect(answer.status()).toBe(401)
    expect(await answer.request().headerValue('cookie')).toBeNull()
    await crossSite.close()
  })

  it('still refreshes from the storefront afterwards (the refused requests used nothing up), then signs out', async () => {
    const refreshed = await pageFetch(storefront, '/v1/auth/refresh', jsonPost({ cookie: true }))
    expect(refreshed.status).toBe(200)

    const logout = await pageFetch(storefront, '/v1/auth/logout', jsonPost({}))
    expect(logout.status).toBe(204)
    expect(await refreshCookie()).toBeUndefined()
    const afterLogout = await pageFetch(storefront, '/v1/auth/refresh', jsonPost({ cookie: true }))
    expect(afterLogout.status).toBe(401)
  })
})
