import type { Context, MiddlewareHandler } from 'hono'
import { setMetric } from 'hono/timing'
import type { AppEnv } from '../env'
import { canonicalQuery } from '../http/canonical-query'
import { prefersXml } from '../http/negotiate'
import { catalogVersion } from './catalog-version'
import { BOOKMARK_HEADER } from './database'
import { strongEtag } from './etag'
import { type MemoryEntry, memoryGet, memorySet, toMemoryEntry } from './memory-cache'
import { negotiateRepresentation } from './xml'

/** The query parameters that can change a cached route's answer; every other parameter is left out of the key. */
type KeyedQuery = readonly string[]

/** How long an entry may live in the edge cache. Versioned keys make it safe: a bump retires every entry. */
const STORED_MAX_AGE_SECONDS = 3600
/** The client-facing Cache-Control, kept beside the entry while the entry itself carries the edge TTL. */
const CLIENT_CACHE_CONTROL = 'X-Folio-Client-Cache-Control'
/**
 * Only these headers are stored: anything per request (ids, CORS, bookmarks, timing) is added fresh. Each is a
 * function of the cache key alone: `content-type` and `cache-control` are constants of the route and the
 * negotiated representation, and `link` is built from the canonical query (src/http/pagination.ts).
 */
const STORED_HEADERS = ['content-type', 'cache-control', 'link']
/**
 * A stored entry's headers stay far below any client's header limit (Node's is 16 KiB): an entry whose headers
 * exceed this, or whose `Link` names a parameter outside the key, is served but never stored, so one request
 * cannot hand later readers headers they did not ask for (web cache poisoning, OWASP WSTG-INPV-17).
 */
const MAX_STORED_HEADER_BYTES = 8192

/** The entry's own ETag, under a name of ours: the Cache API would revalidate with a plain `etag`. */
const STORED_ETAG = 'X-Folio-ETag'

const cacheStatus = (value: string) => `Folio; ${value}`

/** The Workers Cache API's default cache, or undefined in Node (then every request passes straight through). */
function defaultCache(): Cache | undefined {
  if (typeof caches === 'undefined') return undefined
  return (caches as unknown as { default?: Cache }).default
}

/**
 * The cache key: a synthetic URL under the request's own origin (the Cache API keys by URL within the zone)
 * holding the catalog version, the negotiated representation, the path and the normalised query
 * (`canonicalQuery`): parameters the route ignores are dropped, so `?utm=…` or junk cannot bust the cache.
 */
export function cacheKey(c: Context, keyedQuery: KeyedQuery, version: number): string {
  const url = new URL(c.req.url)
  const query = canonicalQuery(url.searchParams, keyedQuery).toString()
  const representation = prefersXml(c) ? 'xml' : 'json'
  return `${url.origin}/_edge-cache/v${version}/${representation}${url.pathname}${query ? `?${query}` : ''}`
}

function isStorable(response: Response): boolean {
  const control = response.headers.get('Cache-Control') ?? ''
  return response.status === 200 && /\bpublic\b/.test(control) && !/no-store|private/.test(control)
}

/** True when every stored header derives from the key: small, and a `Link` only to the route's own parameters. */
function headersDeriveFromKey(response: Response, keyedQuery: KeyedQuery): boolean {
  let bytes = 0
  for (const name of STORED_HEADERS) bytes += name.length + (response.headers.get(name)?.length ?? 0)
  if (bytes > MAX_STORED_HEADER_BYTES) return false
  const link = response.headers.get('link')
  if (!link) return true
  const target = /^<([^>]*)>/.exec(link)?.[1]
  if (target === undefined) return false
  const names = [...new URL(target, 'http://link.invalid').searchParams.keys()]
  return names.every((name) => keyedQuery.includes(name))
}

/** The entry to keep: the body and the whitelisted headers, with the edge TTL in place of the client's. */
async function storedEntry(response: Response): Promise<MemoryEntry> {
  const headers: [string, string][] = []
  for (const name of STORED_HEADERS) {
    const value = name === 'cache-control' ? null : response.headers.get(name)
    if (value) headers.push([name, value])
  }
  headers.push([CLIENT_CACHE_CONTROL, response.headers.get('cache-control') ?? 'no-cache'])
  headers.push(['cache-control', `public, s-maxage=${STORED_MAX_AGE_SECONDS}`])
  const body = await response.arrayBuffer()
  // The tag of the stored bytes, kept with them: a hit is not hashed again (the app's ETag middleware uses it).
  const tag = await strongEtag(body)
  if (tag) headers.push([STORED_ETAG, tag])
  return { body, headers }
}

async function store(cache: Cache, key: string, response: Response): Promise<void> {
  const entry = await storedEntry(response)
  memorySet(key, entry)
  await cache.put(key, new Response(entry.body, { headers: entry.headers }))
}

const CLIENT_CACHE_CONTROL_NAME = CLIENT_CACHE_CONTROL.toLowerCase()
const STORED_ETAG_NAME = STORED_ETAG.toLowerCase()

/** The headers a hit is served with, derived from the entry's stored ones. */
function servedHeaders(entry: MemoryEntry): Record<string, string> {
  const headers: Record<string, string> = { Vary: 'Accept' }
  for (const [header, value] of entry.headers) {
    const name = header.toLowerCase()
    if (STORED_HEADERS.includes(name) && name !== 'cache-control') headers[name] = value
    else if (name === CLIENT_CACHE_CONTROL_NAME) headers['Cache-Control'] = value
    else if (name === STORED_ETAG_NAME) headers.ETag = value
  }
  return headers
}

/** A hit: the entry's bytes (copied: a body is consumed once) under headers worked out once per entry. */
function fromStored(c: Context, entry: MemoryEntry): Response {
  entry.served ??= servedHeaders(entry)
  return c.body(entry.body.slice(0), 200, { ...entry.served })
}

/** This isolate's memory first, then the colo's Cache API (copied into memory for the next request). */
async function lookup(cache: Cache, key: string): Promise<{ entry: MemoryEntry; tier: string } | null> {
  const remembered = memoryGet(key)
  if (remembered) return { entry: remembered, tier: 'memory' }
  const stored = await cache.match(key)
  if (!stored) return null
  const entry = await toMemoryEntry(stored)
  memorySet(key, entry)
  return { entry, tier: 'edge' }
}

function runInBackground(c: Context, work: Promise<unknown>): void {
  const guarded = work.catch((error) =>
    console.error(JSON.stringify({ level: 'error', msg: 'edge cache put failed', error: String(error) })),
  )
  try {
    c.executionCtx.waitUntil(guarded)
  } catch {
    // No execution context (a bare app.request): the put finishes on its own.
  }
}

type Forward = {
  cache: Cache
  query: KeyedQuery
  key: string
  next: () => Promise<void>
  why: 'miss' | 'request'
  beforeOrigin?: (c: Context<AppEnv>) => Promise<void>
  /** The client sent `Cache-Control: no-store`: nothing of this exchange may be stored (RFC 9111 §5.2.1.5). */
  noStore?: boolean
}

async function forwardAndStore(
  c: Context<AppEnv>,
  { cache, query, key, next, why, beforeOrigin, noStore }: Forward,
) {
  await beforeOrigin?.(c)
  await next()
  // The entry holds the final bytes: XML is negotiated before storing, so a hit is served as stored.
  await negotiateRepresentation(c)
  if (noStore || !isStorable(c.res)) {
    c.header('Cache-Status', cacheStatus(`fwd=${why}`))
    return
  }
  if (!headersDeriveFromKey(c.res, query)) {
    c.header('Cache-Status', cacheStatus(`fwd=${why}; detail=headers-not-storable`))
    return
  }
  runInBackground(c, store(cache, key, c.res.clone()))
  c.header('Cache-Status', cacheStatus(`fwd=${why}; stored`))
}

/**
 * Serves a public read from the Workers Cache API (caches.default), keyed by the catalog version. A route takes
 * it from its policy preset (`publicRoute({ cache })`, src/http/policy.ts), inside the app's ETag (recomputed, so
 * If-None-Match works on hits) and around the handler.
 * - Requests with `Authorization` are not cached (RFC 9111 §3.5: a shared cache must not reuse an answer given
 *   to an authenticated request), reported as `fwd=bypass`.
 * - `X-D1-Bookmark` requests read the version through their own D1 session, so a client that wrote reads at
 *   least its own write's version: read-your-writes, still served from cache when that version is cached.
 * - `Cache-Control: no-cache` from the client skips the lookup and refreshes the entry (`fwd=request; stored`);
 *   `no-store` skips the lookup and stores nothing (`fwd=request`).
 * - `beforeOrigin` (the per-IP rate limit) runs for every request that goes past the cache (a miss, a bypass, a
 *   revalidation, a HEAD, or no Cache API at all): a hit costs no origin work, so it is not counted.
 * Every answer the cache decides says what happened in an RFC 9211 `Cache-Status` header and a `cache`
 * Server-Timing metric.
 */
export type EdgeCacheOptions = {
  /** The query parameters that can change the answer (the rest are left out of the key). */
  query?: KeyedQuery
  /** Runs only when a request must go to the origin: the rate limit. */
  beforeOrigin?: (c: Context<AppEnv>) => Promise<void>
}

export function edgeCache({ query = [], beforeOrigin }: EdgeCacheOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const cache = defaultCache()
    if (c.req.method !== 'GET' || !cache) {
      await beforeOrigin?.(c)
      return next()
    }
    if (c.req.header('Authorization')) {
      setMetric(c, 'cache', 0, 'bypass')
      await beforeOrigin?.(c)
      await next()
      c.header('Cache-Status', cacheStatus('fwd=bypass; detail=authorization'))
      return
    }
    const started = performance.now()
    const requestDirectives = c.req.header('Cache-Control') ?? ''
    // `no-store`: nothing is looked up or stored, so the entry's key (and the catalog version in it) is not needed.
    if (/\bno-store\b/i.test(requestDirectives)) {
      setMetric(c, 'cache', performance.now() - started, 'bypass')
      return forwardAndStore(c, { cache, query, key: '', next, why: 'request', beforeOrigin, noStore: true })
    }
    const version = await catalogVersion(c, { consistent: Boolean(c.req.header(BOOKMARK_HEADER)) })
    const key = cacheKey(c, query, version)
    if (/\bno-cache\b/i.test(requestDirectives)) {
      setMetric(c, 'cache', performance.now() - started, 'revalidate')
      return forwardAndStore(c, { cache, query, key, next, why: 'request', beforeOrigin })
    }
    const found = await lookup(cache, key)
    setMetric(c, 'cache', performance.now() - started, found ? `hit (${found.tier})` : 'miss')
    if (!found) return forwardAndStore(c, { cache, query, key, next, why: 'miss', beforeOrigin })
    c.header('Cache-Status', cacheStatus(`hit; detail=${found.tier}`))
    return fromStored(c, found.entry)
  }
}
