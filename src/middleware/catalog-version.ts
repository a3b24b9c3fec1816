import { eq } from 'drizzle-orm'
import type { Context, MiddlewareHandler } from 'hono'
import { catalogState } from '../db/schema'
import type { AppEnv } from '../env'

/**
 * The catalog version (catalog_state, bumped by triggers on every change to books), remembered per isolate for
 * `CATALOG_VERSION_TTL_SECONDS`. The trade-off: with a TTL of N seconds, another isolate may serve the previous
 * version's pages for up to N seconds (plus replica lag) after a write; with 0, every cached read pays one
 * primary-key read on the nearest D1 replica. The isolate that handled a write forgets at once.
 */
let remembered: { version: number; expiresAt: number } | null = null

export function forgetCatalogVersion(): void {
  remembered = null
}

async function readCatalogVersion(c: Context<AppEnv>): Promise<number> {
  const [row] = await c
    .get('db')
    .select({ version: catalogState.version })
    .from(catalogState)
    .where(eq(catalogState.id, 1))
  return row?.version ?? 0
}

/**
 * `consistent`: read through the request's own D1 session (the client sent a bookmark), never from memory, so
 * the version is at least the one the client's own write produced.
 */
export async function catalogVersion(c: Context<AppEnv>, options: { consistent: boolean }): Promise<number> {
  const ttlMs = c.get('config').CATALOG_VERSION_TTL_SECONDS * 1000
  const now = Date.now()
  if (!options.consistent && ttlMs > 0 && remembered && remembered.expiresAt > now) return remembered.version
  const version = await readCatalogVersion(c)
  if (ttlMs > 0) remembered = { version, expiresAt: now + ttlMs }
  return version
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Any successful write through the app forgets this isolate's remembered version at once, so the isolate that
 * handled a write never serves the previous version's cached pages (the triggers bumped it).
 */
export function forgetCatalogVersionOnWrite(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    if (!SAFE_METHODS.has(c.req.method) && c.res.status < 400) forgetCatalogVersion()
  }
}
