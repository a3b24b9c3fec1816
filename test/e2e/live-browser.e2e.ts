// Live updates in a real Chromium, with the browser's own WebSocket and the README's client as written (the
// block marked `<!-- live-client -->` is served to the pages as /live.js): a product page sees the last copy
// sell out when another customer checks out, resumes with ?since after a disconnect, and an order page turns
// "paid" when the signed payment webhook arrives (`npm run stripe:simulate`). A page on an origin outside
// CORS_ORIGINS cannot subscribe. Every frame the pages received is checked against /asyncapi.json.
//
// Ports: the API on 8842 (`npm run dev` in a fresh copy of the project), the storefront on http://localhost:8843
// (in CORS_ORIGINS), a foreign page on http://localhost:8844. E2E_LIVE_API_PORT=N moves all three.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { Validator } from '@cfworker/json-schema'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDevServer, PROJECT_ROOT } from './helpers/processes'

const API_PORT = Number(process.env.E2E_LIVE_API_PORT ?? 8842)
const STORE_PORT = API_PORT + 1
const FOREIGN_PORT = API_PORT + 2
const API = `http://127.0.0.1:${API_PORT}`
const STOREFRONT = `http://localhost:${STORE_PORT}`
const FOREIGN = `http://localhost:${FOREIGN_PORT}`
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const PAGES = join(import.meta.dirname, 'pages')
const ADMIN = { email: 'ops@example.com', password: 'a long admin passphrase' }
const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '221B Baker Street',
  city: 'London',
  postalCode: 'NW1 6XE',
  country: 'GB',
}

/** The README's browser client, exactly as the README shows it. */
function readmeClient(): string {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')
  const block = /<!-- live-client[^>]*-->\s*\n```js\n([\s\S]*?)\n```/.exec(readme)?.[1]
  if (!block) throw new Error('README.md has no ```js block marked <!-- live-client -->')
  return block
}

let api: Awaited<ReturnType<typeof freshDevServer>>
let servers: Server[] = []
let browser: Browser
let context: BrowserContext
let adminToken: string
const receivedFrames: unknown[] = []

/** The storefront's pages and the README client; the foreign origin serves the same files. */
function pageServer(port: number, client: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname
    if (path === '/live.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' })
      response.end(client)
      return
    }
    if (path === '/favicon.ico') {
      response.writeHead(204).end()
      return
    }
    const file = join(PAGES, path.replace(/^\/+/, ''))
    if (!/^\/\w+\.html$/.test(path) || !existsSync(file)) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    response.end(readFileSync(file))
  })
  return new Promise((done) => server.listen(port, '127.0.0.1', () => done(server)))
}

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {}
  if (options.token) headers.Authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (method === 'POST' && path === '/v1/orders') headers['Idempotency-Key'] = crypto.randomUUID()
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await response.text()
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted, not typed
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any }
}

async function login(email: string, password: string): Promise<string> {
  const answer = await call('POST', '/v1/auth/login', { body: { email, password } })
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  return answer.body.accessToken
}

/** Another customer: a fresh account, signed in from Node (not the page under test). */
async function customer(label: string): Promise<string> {
  const email = `live-${label}-${Date.now()}@example.com`
  const password = 'a long customer passphrase'
  expect((await call('POST', '/v1/auth/register', { body: { email, password, name: 'Grace' } })).status).toBe(
    201,
  )
  return login(email, password)
}

async function checkout(token: string, bookId: string, quantity = 1): Promise<string> {
  const cart = await call('PUT', `/v1/me/cart/items/${bookId}`, { token, body: { quantity } })
  expect(cart.status, JSON.stringify(cart.body)).toBe(200)
  const order = await call('POST', '/v1/orders', { token, body: { address: ADDRESS } })
  expect(order.status, JSON.stringify(order.body)).toBe(201)
  return order.body.id
}

async function openPage(url: string): Promise<Page> {
  const page = await context.newPage()
  page.on('console', (message) => console.error(`[browser console] ${message.text()}`))
  page.on('pageerror', (error) => console.error(`[browser error] ${error.message}`))
  await page.goto(url)
  return page
}

const text = (page: Page, selector: string) => page.locator(selector).textContent()
/** Waits (no timing asserted) until the element shows `value`. */
const shows = (page: Page, selector: string, value: string) =>
  page.locator(selector, { hasText: new RegExp(`^${value}$`) }).waitFor({ timeout: 20_000 })
const ready = (page: Page) => page.locator('body[data-live^="ready:"]').waitFor({ timeout: 20_000 })

async function collect(page: Page) {
  receivedFrames.push(...(await page.evaluate(() => (window as unknown as { received: unknown[] }).received)))
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`)
  const client = readmeClient()
  servers = [await pageServer(STORE_PORT, client), await pageServer(FOREIGN_PORT, client)]
  api = await freshDevServer(
    API_PORT,
    ['--ip', '127.0.0.1', '--var', `CORS_ORIGINS:${STOREFRONT}`],
    '127.0.0.1',
  )
  // The back office: an admin made as the README says (`npm run admin:create`), in the server's own copy.
  execFileSync('npm', ['run', '-s', 'admin:create', '--', '--email', ADMIN.email, '--password-stdin'], {
    cwd: api.dir,
    input: ADMIN.password,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  adminToken = await login(ADMIN.email, ADMIN.password)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  })
  context = await browser.newContext()
})

afterAll(async () => {
  await browser?.close()
  await api?.stop()
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))))
})

describe('live updates in Chromium', () => {
  let product: Page
  let bookId: string
  let lastOrder: { token: string; id: string }

  it('a product page shows the last copy selling out the moment another customer checks it out', async () => {
    const list = await call('GET', '/v1/books?limit=1&inStock=true')
    bookId = list.body.data[0].id
    const stocked = await call('PATCH', `/v1/books/${bookId}`, { token: adminToken, body: { stock: 1 } })
    expect(stocked.status).toBe(200)

    product = await openPage(`${STOREFRONT}/product.html?api=${encodeURIComponent(API)}&book=${bookId}`)
    await ready(product)
    await shows(product, '#availability', 'low_stock')

    const token = await customer('buyer')
    lastOrder = { token, id: await checkout(token, bookId) }
    await shows(product, '#availability', 'out_of_stock')
    const events = await product.evaluate(() =>
      (
        window as unknown as { received: { type: string; event?: string; data?: { bookId: string } }[] }
      ).received.filter((frame) => frame.type === 'event'),
    )
    expect(events.at(-1)).toMatchObject({
      event: 'book.availability',
      data: { bookId, availability: 'out_of_stock' },
    })
  })

  it('resumes with ?since after a disconnect: the event it missed is replayed, nothing twice', async () => {
    const last = await product.evaluate(() => {
      const page = window as unknown as { live: { lastEventId: number; close: () => void } }
      page.live.close()
      return page.live.lastEventId
    })
    // While the page is away, the buyer cancels the unpaid order: the copy is back in stock.
    const cancelled = await call('POST', `/v1/orders/${lastOrder.id}/cancel`, { token: lastOrder.token })
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200)
    expect(await text(product, '#availability')).toBe('out_of_stock')

    await product.evaluate(
      (since) => (window as unknown as { start: (since: number) => void }).start(since),
      last,
    )
    await shows(product, '#availability', 'low_stock')
    await product.locator(`body[data-live="ready:${last + 1}"]`).waitFor({ timeout: 20_000 })
    const ids = await product.evaluate(() =>
      (window as unknown as { received: { type: string; id?: number }[] }).received
        .filter((frame) => frame.type === 'event')
        .map((frame) => frame.id!),
    )
    expect(ids.at(-1)).toBe(last + 1)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    await collect(product)
    await product.close()
  })

  it('an order page turns "paid" when the payment webhook arrives', async () => {
    const list = await call('GET', '/v1/books?limit=5&inStock=true')
    const book = list.body.data.find((candidate: { id: string }) => candidate.id !== bookId)
    const token = await customer('payer')
    const orderId = await checkout(token, book.id)

    const page = await openPage(`${STOREFRONT}/order.html?api=${encodeURIComponent(API)}`)
    await page.evaluate(
      ([accessToken, id]) =>
        (window as unknown as { showOrder: (token: string, id: string) => void }).showOrder(
          accessToken!,
          id!,
        ),
      [token, orderId],
    )
    await ready(page)
    await shows(page, '#status', 'pending_payment')

    // Stripe's signed payment_intent.succeeded, as `npm run stripe:simulate` sends it.
    const simulated = execFileSync(
      'npm',
      ['run', '-s', 'stripe:simulate', '--', '--order', orderId, '--url', API],
      {
        cwd: api.dir,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      },
    )
    expect(JSON.parse(simulated)).toMatchObject({ type: 'payment_intent.succeeded', status: 200 })
    await shows(page, '#status', 'paid')
    const events = await page.evaluate(() =>
      (window as unknown as { received: { type: string }[] }).received.filter(
        (frame) => frame.type === 'event',
      ),
    )
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'order.updated',
        data: expect.objectContaining({ orderId, status: 'paid' }),
      }),
    )
    await collect(page)
    await page.close()
  })

  it('a page on an origin outside CORS_ORIGINS cannot subscribe; the storefront can', async () => {
    const url = `${API.replace('http', 'ws')}/v1/live/books/${bookId}`
    const attempt = (page: Page) =>
      page.evaluate(
        (address) =>
          (
            window as unknown as {
              tryToSubscribe: (url: string) => Promise<{ opened: boolean; code: number }>
            }
          ).tryToSubscribe(address),
        url,
      )
    const foreign = await openPage(`${FOREIGN}/foreign.html`)
    // Refused before the upgrade (403): the browser reports an abnormal closure and never an open socket.
    expect(await attempt(foreign)).toEqual({ opened: false, code: 1006 })
    await foreign.close()
    const storefront = await openPage(`${STOREFRONT}/foreign.html`)
    const allowed = storefront.evaluate((address) => {
      const socket = new WebSocket(address, ['folio.v1'])
      return new Promise<string>((resolve) => {
        socket.onmessage = ({ data }) => {
          resolve(JSON.parse(data).type)
          socket.close()
        }
        socket.onclose = ({ code }) => resolve(`closed ${code}`)
      })
    }, url)
    expect(await allowed).toBe('ready')
    await storefront.close()
  })

  it('every frame the pages received is one of the messages of /asyncapi.json', async () => {
    expect(receivedFrames.length).toBeGreaterThan(3)
    const document = (await call('GET', '/asyncapi.json')).body
    const resolve = (ref: string) =>
      ref
        .slice(2)
        .split('/')
        .reduce((node, key) => node[key], document)
    const inline = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(inline)
      if (!node || typeof node !== 'object') return node
      if ('$ref' in node) return inline(resolve((node as { $ref: string }).$ref))
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(value)]))
    }
    for (const frame of receivedFrames as { type: string; channel: string; event?: string }[]) {
      const kind = frame.channel === 'admin' ? 'admin' : frame.channel.split(':')[0]!
      const messages = Object.values(document.channels[kind].messages).map((ref) =>
        resolve((ref as { $ref: string }).$ref),
      )
      const matching = messages.filter(
        (message: { payload: unknown }) =>
          new Validator(inline(message.payload) as object, '7', false).validate(frame).valid,
      )
      expect(
        matching.map((message: { title: string }) => message.title),
        JSON.stringify(frame),
      ).toEqual([
        frame.type === 'event' ? frame.event : `${frame.type[0]!.toUpperCase()}${frame.type.slice(1)}`,
      ])
    }
  })
})
