// The request classes the bench measures: one registry (BENCH_CLASSES), built against one target (workerd over
// HTTP, wrangler dev, or the app in Node for the CPU probe).
//
// Adding a class is one entry in BENCH_CLASSES: an id, a name, the OpenAPI paths it needs (n/a without them), its
// targets and a `build` returning the request (or a multi-step flow). For example:
//   { id: 'suggest', name: 'suggest q="qu", uncached', requires: ['/v1/books/suggest'], targets: UNCACHED_READ,
//     build: () => ({ request: { path: '/v1/books/suggest?q=qu', headers: UNCACHED } }) },
import { generatedBook } from '../../src/db/seed/index.ts'
import { MAX_FAILURES_PER_ACCOUNT } from '../../src/features/auth/login-throttle.ts'
import { encodeCursor } from '../../src/http/pagination.ts'
import {
  checkoutAndPay,
  loginInit,
  purchasableBooks,
  type Send,
  type Shopper,
  signUp,
} from './bench-flows.ts'
import { expectStatus, type RequestSpec } from './bench-load.ts'

/** The targets for one class (ratios against the bare worker measured in the same run). */
export type Targets = {
  /** At least this fraction of the bare worker's req/s. */
  ratio?: number
  /** At most this many D1 round trips per request (the `db` metric of Server-Timing). */
  roundTrips?: number
  /** At most this much app CPU per request in the Node probe (ms, SQLite excluded). */
  cpuMs?: number
}

export type Flow = (worker: number, iteration: number) => Promise<void>

export type BenchClass = {
  id: string
  name: string
  targets: Targets
  /** A single request, replayed by autocannon (and by the CPU probe in Node). */
  request?: RequestSpec
  /** A multi-step flow, run in closed loops. */
  flow?: Flow
  /** Why the class cannot run on this build ("n/a"). */
  unavailable?: string
  /** Fewer CPU-probe iterations for deliberately expensive classes (password hashing). */
  expensive?: boolean
  /** At most this many connections (login: one account admits MAX_FAILURES_PER_ACCOUNT checks in flight). */
  maxConnections?: number
  /** For a flow: the step (`METHOD /path`, ids as `{id}`) whose D1 round trips the target is about. */
  roundTripsOf?: string
}

/** What a class's `build` returns: everything but the registry entry's own fields. */
export type ClassShape = Omit<BenchClass, 'id' | 'name' | 'targets'>

export type ClassContext = {
  send: Send
  books: number
  /** The newest book's id (page 1's first row). */
  bookId: string
  webhookSecret: string
  /** Concurrent loops of a flow (one shopper account each). */
  workers: number
  /** A registered, signed-in customer, made on first use and shared by the classes of one target. */
  reader: () => Promise<{ email: string; token: string }>
}

export type ClassDefinition = {
  /** Stable key for the JSON and for cross-class targets. */
  id: string
  name: string | ((context: ClassContext) => string)
  /**
   * OpenAPI paths the class needs, a path with `?name` a query parameter of its GET too (`/v1/books?facets`); a
   * build without one of them reports the class as n/a.
   */
  requires?: string[]
  targets?: Targets
  build: (context: ClassContext) => ClassShape | Promise<ClassShape>
}

/** `Cache-Control: no-store`: the edge cache neither looks up nor stores (Cache-Status: Folio; fwd=request). */
export const UNCACHED = { 'Cache-Control': 'no-store' }

export const CACHED_READ: Targets = { ratio: 0.7, roundTrips: 0, cpuMs: 0.1 }
export const UNCACHED_READ: Targets = { ratio: 0.25, roundTrips: 1, cpuMs: 1 }

/** A word in 5% of the generated titles ("The Silent …"), with every facet counted. */
const FACETED_SEARCH = '/v1/books?q=silent&facets=subject,language,format,price'
/**
 * Typed so far: "ha" starts title words (Harbour) and author names (Hanna, Haddad) of the generated catalog, so
 * every kind reads its window ("tol", the example, matches nothing there and would measure an empty answer).
 */
const SUGGEST_PREFIX = 'ha'
const SUGGEST = `/v1/search/suggest?q=${SUGGEST_PREFIX}`

/** A cursor into the middle of the catalog (newest-first order): the generated rows are a pure function of index. */
function middleCursor(books: number): string {
  const index = Math.floor(books / 2)
  const book = generatedBook(index)
  return encodeCursor({ s: 'createdAt', o: 'desc', k: (book.createdAt as Date).getTime(), i: index + 1 })
}

/** The first class is the ceiling every other class is compared with. */
export const BARE_ID = 'bare'

export const BENCH_CLASSES: ClassDefinition[] = [
  {
    id: BARE_ID,
    name: 'bare worker returning "ok" (ceiling)',
    build: () => ({ request: { path: '/', reference: 'bare' } }),
  },
  {
    // No target: how much of the gap to the bare worker one JSON log line per request explains on this runtime
    // (workerd writes it to a pipe that Miniflare parses in the load generator's Node process).
    id: 'bare-log',
    name: 'bare worker + one JSON log line per request (reference)',
    build: () => ({ request: { path: '/', reference: 'bare-log' } }),
  },
  {
    id: 'noop',
    name: 'no-op route, global middleware only (GET /_bench/static)',
    targets: { ratio: 0.8, roundTrips: 0, cpuMs: 0.06 },
    build: () => ({ request: { path: '/_bench/static' } }),
  },
  {
    id: 'page1-cached',
    name: 'GET /v1/books page 1, cached',
    targets: CACHED_READ,
    build: () => ({ request: { path: '/v1/books' } }),
  },
  {
    id: 'book-cached',
    name: 'GET /v1/books/{id}, cached',
    targets: CACHED_READ,
    build: ({ bookId }) => ({ request: { path: `/v1/books/${bookId}` } }),
  },
  {
    id: 'page1-uncached',
    name: 'GET /v1/books page 1, uncached',
    targets: UNCACHED_READ,
    build: () => ({ request: { path: '/v1/books', headers: UNCACHED } }),
  },
  {
    id: 'deep-page',
    name: ({ books }) => `deep page (row ${Math.floor(books / 2)}), uncached`,
    targets: UNCACHED_READ,
    build: ({ books }) => ({
      request: { path: `/v1/books?cursor=${middleCursor(books)}`, headers: UNCACHED },
    }),
  },
  {
    id: 'search',
    name: 'search q="quiet harbour", uncached',
    targets: UNCACHED_READ,
    build: () => ({ request: { path: '/v1/books?q=quiet%20harbour', headers: UNCACHED } }),
  },
  {
    id: 'search-broad',
    name: 'search q="silent" (5% of books match), uncached',
    targets: UNCACHED_READ,
    build: () => ({ request: { path: '/v1/books?q=silent', headers: UNCACHED } }),
  },
  {
    id: 'filter',
    name: 'filter language=fr&inStock=true, uncached',
    targets: UNCACHED_READ,
    build: () => ({ request: { path: '/v1/books?language=fr&inStock=true', headers: UNCACHED } }),
  },
  {
    id: 'book-uncached',
    name: 'GET /v1/books/{id}, uncached',
    targets: UNCACHED_READ,
    build: ({ bookId }) => ({ request: { path: `/v1/books/${bookId}`, headers: UNCACHED } }),
  },
  {
    id: 'me',
    name: 'GET /v1/me (authenticated)',
    requires: ['/v1/auth/register', '/v1/auth/login', '/v1/me'],
    targets: { ratio: 0.25, roundTrips: 1, cpuMs: 1 },
    build: async ({ reader }) => ({
      request: { path: '/v1/me', headers: { Authorization: `Bearer ${(await reader()).token}` } },
    }),
  },
  {
    id: 'login',
    name: 'POST /v1/auth/login',
    requires: ['/v1/auth/register', '/v1/auth/login'],
    targets: { roundTrips: 3 },
    build: async ({ reader }) => {
      const init = loginInit((await reader()).email)
      return {
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
      }
    },
  },
  {
    id: 'checkout',
    name: 'checkout + webhook (cart → POST /v1/orders → payment_intent.succeeded), per flow',
    requires: [
      '/v1/auth/register',
      '/v1/auth/login',
      '/v1/me/cart/items/{bookId}',
      '/v1/orders',
      '/v1/webhooks/stripe',
    ],
    targets: { roundTrips: 3 },
    build: async ({ send, workers, webhookSecret }) => {
      const shoppers: Shopper[] = []
      for (let worker = 0; worker < workers; worker++) shoppers.push(await signUp(send, `shopper${worker}`))
      const stocked = await purchasableBooks(send)
      return {
        roundTripsOf: 'POST /v1/orders',
        flow: (worker, iteration) =>
          checkoutAndPay(
            send,
            shoppers[worker % shoppers.length]!,
            stocked[(worker * 7 + iteration) % stocked.length]!,
            webhookSecret,
          ),
      }
    },
  },
  // Catalog (issue 13): n/a until the build has the routes and the `facets` parameter.
  {
    id: 'facets-uncached',
    name: 'faceted search q="silent" + subject, language, format and price counts, uncached',
    requires: ['/v1/books?facets'],
    targets: UNCACHED_READ,
    build: () => ({ request: { path: FACETED_SEARCH, headers: UNCACHED } }),
  },
  {
    id: 'facets-cached',
    name: 'faceted search q="silent" + counts, cached',
    requires: ['/v1/books?facets'],
    targets: CACHED_READ,
    build: () => ({ request: { path: FACETED_SEARCH } }),
  },
  {
    id: 'suggest-uncached',
    name: `suggestions q="${SUGGEST_PREFIX}", uncached`,
    requires: ['/v1/search/suggest'],
    targets: UNCACHED_READ,
    build: () => ({ request: { path: SUGGEST, headers: UNCACHED } }),
  },
  {
    id: 'suggest-cached',
    name: `suggestions q="${SUGGEST_PREFIX}", cached`,
    requires: ['/v1/search/suggest'],
    targets: CACHED_READ,
    build: () => ({ request: { path: SUGGEST } }),
  },
  {
    id: 'related-uncached',
    name: 'GET /v1/books/{id}/related, uncached',
    requires: ['/v1/books/{id}/related'],
    // The bench catalog has no orders, so this is the fallback: the book, its subjects and pairs in one batch, then
    // the similar books in one statement (its FTS5 author phrases need the authors read first). With pairs: 1.
    targets: { ...UNCACHED_READ, roundTrips: 2 },
    build: ({ bookId }) => ({ request: { path: `/v1/books/${bookId}/related`, headers: UNCACHED } }),
  },
]

type OpenApiDocument = {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>
}

/** Whether the document has `path` (and, for `path?name`, that query parameter on its GET). */
function documentHas(document: OpenApiDocument, requirement: string): boolean {
  const [path, parameter] = requirement.split('?') as [string, string | undefined]
  const item = document.paths[path]
  if (!item) return false
  if (!parameter) return true
  return (item.get?.parameters ?? []).some((entry) => entry.in === 'query' && entry.name === parameter)
}

/** Builds every registered class against one target; a class whose routes this build lacks is n/a. */
export async function buildClasses(
  target: Omit<ClassContext, 'bookId' | 'reader'>,
  definitions: ClassDefinition[] = BENCH_CLASSES,
): Promise<BenchClass[]> {
  const { send } = target
  const first = await expectStatus(send('/v1/books?limit=1'), 200)
  const bookId = ((await first.json()) as { data: { id: string }[] }).data[0]!.id
  const document = (await (await send('/openapi.json')).json()) as OpenApiDocument
  let reader: Promise<{ email: string; token: string }> | undefined
  const context: ClassContext = { ...target, bookId, reader: () => (reader ??= signUp(send, 'reader')) }
  const classes: BenchClass[] = []
  for (const definition of definitions) {
    const name = typeof definition.name === 'function' ? definition.name(context) : definition.name
    const entry = { id: definition.id, name, targets: definition.targets ?? {} }
    const missing = (definition.requires ?? []).filter((path) => !documentHas(document, path))
    if (missing.length) {
      classes.push({ ...entry, unavailable: `n/a: no ${missing.join(', ')} on this build` })
      continue
    }
    classes.push({ ...entry, ...(await definition.build(context)) })
  }
  return classes
}
