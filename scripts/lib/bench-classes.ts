// The request classes the bench measures, built against one target (wrangler dev over HTTP, or the app in Node).
import { generatedBook } from '../../src/db/seed/index.ts'
import { MAX_FAILURES_PER_ACCOUNT } from '../../src/features/auth/login-throttle.ts'
import { encodeCursor } from '../../src/http/pagination.ts'
import {
  checkoutAndPay,
  detectFeatures,
  loginInit,
  purchasableBooks,
  type Send,
  type Shopper,
  signUp,
} from './bench-flows.ts'
import { expectStatus, type RequestSpec } from './bench-load.ts'

export type BenchClass = {
  name: string
  /** A single request, replayed by autocannon (and by the CPU probe in Node). */
  request?: RequestSpec
  /** A multi-step flow, run in closed loops. */
  flow?: (worker: number, iteration: number) => Promise<void>
  /** Why the class cannot run on this build ("n/a"). */
  unavailable?: string
  /** Fewer CPU-probe iterations for deliberately expensive classes (password hashing). */
  expensive?: boolean
  /** At most this many connections (login: one account admits MAX_FAILURES_PER_ACCOUNT checks in flight). */
  maxConnections?: number
  /** Held to the cached-read target (>= 0.8x the ceiling) or the uncached one (>= 0.5x). */
  target?: 'cached' | 'uncached'
}

/** `Cache-Control: no-store`: the edge cache neither looks up nor stores (Cache-Status: Folio; fwd=request). */
const UNCACHED = { 'Cache-Control': 'no-store' }

/** A cursor into the middle of the catalog (newest-first order): the generated rows are a pure function of index. */
function middleCursor(books: number): string {
  const index = Math.floor(books / 2)
  const book = generatedBook(index)
  return encodeCursor({ s: 'createdAt', o: 'desc', k: (book.createdAt as Date).getTime(), i: index + 1 })
}

export type ClassContext = { send: Send; books: number; webhookSecret: string; workers: number }

export async function buildClasses({
  send,
  books,
  webhookSecret,
  workers,
}: ClassContext): Promise<BenchClass[]> {
  const first = await expectStatus(send('/v1/books?limit=1'), 200)
  const bookId = ((await first.json()) as { data: { id: string }[] }).data[0]!.id
  const features = await detectFeatures(send)
  const catalog: BenchClass[] = [
    { name: 'static ceiling (GET /_bench/static)', request: { path: '/_bench/static' } },
    { name: 'GET /v1/books page 1, cached', request: { path: '/v1/books' }, target: 'cached' },
    {
      name: 'GET /v1/books page 1, uncached',
      request: { path: '/v1/books', headers: UNCACHED },
      target: 'uncached',
    },
    {
      name: `deep page (row ${Math.floor(books / 2)}), uncached`,
      request: { path: `/v1/books?cursor=${middleCursor(books)}`, headers: UNCACHED },
    },
    {
      name: 'search q="quiet harbour", uncached',
      request: { path: '/v1/books?q=quiet%20harbour', headers: UNCACHED },
      target: 'uncached',
    },
    {
      name: 'search q="silent" (5% of books match), uncached',
      request: { path: '/v1/books?q=silent', headers: UNCACHED },
    },
    {
      name: 'filter language=fr&inStock=true, uncached',
      request: { path: '/v1/books?language=fr&inStock=true', headers: UNCACHED },
    },
    { name: 'GET /v1/books/{id}, cached', request: { path: `/v1/books/${bookId}` }, target: 'cached' },
    { name: 'GET /v1/books/{id}, uncached', request: { path: `/v1/books/${bookId}`, headers: UNCACHED } },
  ]
  return [...catalog, ...(await identityClasses(send, features)), ...(await commerceClasses())]

  async function commerceClasses(): Promise<BenchClass[]> {
    const name = 'checkout + webhook (cart → POST /v1/orders → payment_intent.succeeded)'
    if (!(features.checkout && features.login))
      return [{ name, unavailable: 'n/a: no checkout on this build' }]
    const shoppers: Shopper[] = []
    for (let worker = 0; worker < workers; worker++) shoppers.push(await signUp(send, `shopper${worker}`))
    const stocked = await purchasableBooks(send)
    return [
      {
        name,
        flow: (worker, iteration) =>
          checkoutAndPay(
            send,
            shoppers[worker % shoppers.length]!,
            stocked[(worker * 7 + iteration) % stocked.length]!,
            webhookSecret,
          ),
      },
    ]
  }
}

async function identityClasses(send: Send, features: { login: boolean; me: boolean }): Promise<BenchClass[]> {
  if (!features.login) {
    return [
      { name: 'GET /v1/me (authenticated)', unavailable: 'n/a: no login on this build' },
      { name: 'POST /v1/auth/login', unavailable: 'n/a: no login on this build' },
    ]
  }
  const user = await signUp(send, 'reader')
  const init = loginInit(user.email)
  return [
    features.me
      ? {
          name: 'GET /v1/me (authenticated)',
          request: { path: '/v1/me', headers: { Authorization: `Bearer ${user.token}` } },
        }
      : { name: 'GET /v1/me (authenticated)', unavailable: 'n/a: no /v1/me on this build' },
    {
      name: 'POST /v1/auth/login',
      request: {
        method: 'POST',
        path: '/v1/auth/login',
        headers: init.headers as Record<string, string>,
        body: init.body as string,
      },
      expensive: true,
      // Every password check of one account reserves its attempt against the lockout until it proves right, so
      // more parallel sign-ins of one account than the lockout admits are 429 (as a guessing burst would be).
      maxConnections: MAX_FAILURES_PER_ACCOUNT,
    },
  ]
}
