import { type Client, createClient } from '@libsql/client'
import { createTableRelationsHelpers, extractTablesRelationalConfig } from 'drizzle-orm'
import { DrizzleD1Database } from 'drizzle-orm/d1'
import { SQLiteD1Session } from 'drizzle-orm/d1/session'
import { LibSQLDatabase } from 'drizzle-orm/libsql'
import { LibSQLSession } from 'drizzle-orm/libsql/session'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
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
function instrumentD1(open: () => D1DatabaseSession, stats: DbStats, now: Clock): D1Database {
  let opened: D1DatabaseSession | undefined
  const session = () => (opened ??= open())
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
    prepare: (query: string) => wrap(session().prepare(query)),
    batch: (statements: D1PreparedStatement[]) =>
      timed(stats, now, () =>
        session().batch(statements.map((statement) => originals.get(statement) ?? statement)),
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
 * What `drizzle(client, { schema })` derives from the schema on every call (about 35 µs of CPU per request in
 * Node), derived once per isolate: the schema is a constant. The rest of a database object is per request.
 */
const tablesConfig = extractTablesRelationalConfig(schema, createTableRelationsHelpers)
const relationalSchema = {
  fullSchema: schema,
  schema: tablesConfig.tables,
  tableNamesMap: tablesConfig.tableNamesMap,
}
const dialect = new SQLiteAsyncDialect()

/**
 * A database object builds one relational query builder per table (`db.query.<table>`) in its constructor: in
 * workerd about 20 to 70 µs of every request that opens a database, though few requests use `db.query`
 * (`npm run profile:workerd`). The object is built without them and `db.query` builds them on first use, from a
 * second object over the same session (so the same counters, D1 session and transaction).
 */
function withLazyRelationalQueries<T extends object>(db: T, build: () => { query: unknown }): T {
  let query: unknown
  Object.defineProperty(db, 'query', { get: () => (query ??= build().query), configurable: true })
  // What drizzle's own constructor keeps from the schema, for anything reading `db._`.
  Object.defineProperty(db, '_', {
    value: {
      schema: relationalSchema.schema,
      fullSchema: relationalSchema.fullSchema,
      tableNamesMap: relationalSchema.tableNamesMap,
    },
  })
  return db
}

function drizzleD1(client: D1Database): Db {
  const session = new SQLiteD1Session(client, dialect, relationalSchema, {})
  const db = new DrizzleD1Database('async', dialect, session, undefined)
  const lazy = withLazyRelationalQueries(
    db,
    () => new DrizzleD1Database('async', dialect, session, relationalSchema),
  )
  return Object.assign(lazy, { $client: client }) as unknown as Db
}

function drizzleLibsql(client: Client): Db {
  const session = new LibSQLSession(client, dialect, relationalSchema, {}, undefined)
  const db = new LibSQLDatabase('async', dialect, session, undefined)
  const lazy = withLazyRelationalQueries(
    db,
    () => new LibSQLDatabase('async', dialect, session, relationalSchema),
  )
  return Object.assign(lazy, { $client: client }) as unknown as Db
}

/**
 * Opens the request's database: a D1 session (read replicas, read-your-writes through the bookmark) when the
 * `DB` binding exists, otherwise libSQL at `LIBSQL_URL` (a `file:` path in Node, Turso over HTTP at the edge).
 * The D1 session opens on the first statement, so a request that runs none (a throttled request, a cached
 * read) opens none; its bookmark is then the client's own, unchanged.
 */
export function createDb(env: DbEnv, options: { bookmark?: string | null; now?: Clock } = {}): DbHandle {
  const stats: DbStats = { queries: 0, durationMs: 0 }
  const now = options.now ?? (() => performance.now())
  if (env.DB) {
    const database = env.DB
    let session: D1DatabaseSession | undefined
    const open = () => (session = openSession(database, options.bookmark))
    const db = drizzleD1(instrumentD1(open, stats, now))
    const unchanged = options.bookmark && BOOKMARK_PATTERN.test(options.bookmark) ? options.bookmark : null
    return { db, stats, bookmark: () => (session ? session.getBookmark() : unchanged) }
  }
  if (env.LIBSQL_URL) {
    const client = instrumentLibsql(getLibsqlClient(env.LIBSQL_URL, env.LIBSQL_AUTH_TOKEN), stats, now)
    return { db: drizzleLibsql(client), stats, bookmark: () => null }
  }
  throw new Error('No database configured: bind D1 as DB or set LIBSQL_URL')
}
