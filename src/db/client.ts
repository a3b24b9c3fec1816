import { type Client, createClient } from '@libsql/client'
import { type DrizzleD1Database, drizzle as drizzleD1 } from 'drizzle-orm/d1'
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql'
import * as schema from './schema'

/**
 * The one database type the app sees. Both drivers expose the same query builder and `batch` (one transaction on
 * D1 and on libSQL); they differ only in the raw result of `.run()`, which the app never reads: writes that must
 * be checked use `.returning()`.
 */
export type Db = DrizzleD1Database<typeof schema>

/** Per-request database counters, for the log line and `Server-Timing`. */
export type DbStats = { queries: number; durationMs: number }

export type DbHandle = {
  db: Db
  stats: DbStats
  /** The D1 Sessions API bookmark after this request's queries (null on libSQL). */
  bookmark: () => string | null
}

type DbEnv = { DB?: D1Database; LIBSQL_URL?: string; LIBSQL_AUTH_TOKEN?: string }

/** Milliseconds from a monotonic clock: `performance.now` unless a test injects one. */
type Clock = () => number

async function timed<T>(stats: DbStats, now: Clock, run: () => Promise<T>): Promise<T> {
  const start = now()
  try {
    return await run()
  } finally {
    stats.queries++
    stats.durationMs += now() - start
  }
}

/**
 * Wraps a D1 Sessions API session as the `D1Database` drizzle expects (drizzle #2226: a session is not a full
 * D1Database), counting and timing every statement. `batch` must receive workerd's own statement objects, so the
 * wrapper keeps the original behind each proxy.
 */
function instrumentD1(session: D1DatabaseSession, stats: DbStats, now: Clock): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>()
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === 'bind') return (...values: unknown[]) => wrap(target.bind(...values))
        if (property === 'first' || property === 'all' || property === 'run' || property === 'raw') {
          // biome-ignore lint/suspicious/noExplicitAny: forwards the statement method's own arguments unchanged
          return (...args: any[]) => timed(stats, now, () => (target[property] as any).apply(target, args))
        }
        const value = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    originals.set(proxy, statement)
    return proxy
  }
  const database = {
    prepare: (query: string) => wrap(session.prepare(query)),
    batch: (statements: D1PreparedStatement[]) =>
      timed(stats, now, () =>
        session.batch(statements.map((statement) => originals.get(statement) ?? statement)),
      ),
    exec: () => Promise.reject(new Error('exec is not available on a D1 session')),
    dump: () => Promise.reject(new Error('dump is not available on a D1 session')),
    withSession: () => {
      throw new Error('nested sessions are not supported')
    },
  }
  return database as unknown as D1Database
}

const libsqlClients = new Map<string, Client>()

/** One libSQL client per URL and isolate: connections are reused across requests. */
export function getLibsqlClient(url: string, authToken?: string): Client {
  let client = libsqlClients.get(url)
  if (!client) {
    client = createClient({ url, authToken })
    libsqlClients.set(url, client)
  }
  return client
}

function instrumentLibsql(client: Client, stats: DbStats, now: Clock): Client {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (property === 'execute' || property === 'batch') {
        // biome-ignore lint/suspicious/noExplicitAny: forwards the client method's own arguments unchanged
        return (...args: any[]) => timed(stats, now, () => value.apply(target, args))
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** A bookmark is an opaque string from D1; anything else from a client is ignored, not trusted. */
const BOOKMARK_PATTERN = /^[\w-]{1,128}$/

function openSession(database: D1Database, bookmark: string | null | undefined): D1DatabaseSession {
  if (bookmark && BOOKMARK_PATTERN.test(bookmark)) {
    try {
      return database.withSession(bookmark)
    } catch {
      // A stale or foreign bookmark must not fail the request: fall back to any replica.
    }
  }
  return database.withSession('first-unconstrained')
}

/**
 * Opens the request's database: a D1 session (read replicas, read-your-writes through the bookmark) when the
 * `DB` binding exists, otherwise libSQL at `LIBSQL_URL` (a `file:` path in Node, Turso over HTTP at the edge).
 */
export function createDb(env: DbEnv, options: { bookmark?: string | null; now?: Clock } = {}): DbHandle {
  const stats: DbStats = { queries: 0, durationMs: 0 }
  const now = options.now ?? (() => performance.now())
  if (env.DB) {
    const session = openSession(env.DB, options.bookmark)
    const db = drizzleD1(instrumentD1(session, stats, now), { schema })
    return { db, stats, bookmark: () => session.getBookmark() }
  }
  if (env.LIBSQL_URL) {
    const client = instrumentLibsql(getLibsqlClient(env.LIBSQL_URL, env.LIBSQL_AUTH_TOKEN), stats, now)
    const db = drizzleLibsql(client, { schema }) as unknown as Db
    return { db, stats, bookmark: () => null }
  }
  throw new Error('No database configured: bind D1 as DB or set LIBSQL_URL')
}
