import { fillPlaceholders, type Placeholder, type Query, sql } from 'drizzle-orm'

/**
 * Where a statement builder puts a request's value: the value itself (`literal`, for a statement built to be
 * read or explained) or a named placeholder whose value a `Bindings` keeps (a statement compiled once).
 */
export type Bind = <T>(name: string, value: T) => T | Placeholder

export const literal: Bind = (_name, value) => value

/**
 * One request's values for statements compiled once per isolate, and the key of their compiled SQL (with each
 * statement's name): their shape (the structural choices the builder makes from the request: sort, order, facets)
 * and the names of the values it bound, in order (a filter present binds its value, an absent one binds nothing,
 * so they are part of the shape too).
 */
export class Bindings {
  readonly values: Record<string, unknown> = {}
  private names = ''

  constructor(private readonly shape: string) {}

  readonly bind: Bind = (name, value) => {
    if (name in this.values && this.values[name] !== value) throw new Error(`${name} bound to two values`)
    if (!(name in this.values)) this.names += `,${name}`
    this.values[name] = value
    return sql.placeholder(name)
  }

  get key(): string {
    return `${this.shape}|${this.names}`
  }
}

/** What drizzle-orm 0.45's select builders and prepared queries hold that this relies on (all `@internal`). */
type PreparedInternals = {
  getQuery(): Query
  fields?: unknown
  joinsNotNullableMap?: Record<string, boolean>
}
type SelectInternals = {
  _prepare(isOneTimeQuery?: boolean): PreparedInternals
  session?: {
    prepareOneTimeQuery?(query: Query, fields: unknown, method: 'all', arrayMode: boolean): PreparedInternals
  }
}
type Compiled = Pick<PreparedInternals, 'fields' | 'joinsNotNullableMap'> & { query: Query }

/**
 * Shapes in use are few (sorts × orders × which filters are given × facets), but a bound keeps a hostile mix of
 * parameters from growing the map: past it, the least recently used shape goes (a Map keeps insertion order, and a
 * hit moves its entry to the end), so a flood of one-off shapes never evicts the shapes the storefront uses.
 */
const MAX_COMPILED = 512
const compiledQueries = new Map<string, Compiled>()

/**
 * Tests set `verify`: every reuse is checked against the statement built anew (a shape the key misses fails).
 * `builds` counts the statements whose SQL was built here since the isolate started.
 */
export const compiledStatements = { verify: false, builds: 0, size: () => compiledQueries.size }

/**
 * Runs a drizzle select with SQL built once per isolate for its shape (`bindings.key`), its values bound per
 * request. Drizzle builds a statement's SQL text on every execution (for a catalog page and its facets, 0.1 to
 * 0.15 ms of CPU per request, most of it `is()` checks over every SQL chunk); its own prepared statements would
 * build once, but they belong to the database session they were prepared on, and Folio opens a D1 session per
 * request (the Sessions API bookmark). So the compiled SQL and result fields are kept here, and each request
 * prepares them on its own session: in a batch (`db.batch`, which calls `_prepare`) or awaited alone.
 * Anything else about the statement (`toSQL`, `getSQL`) is the builder's own.
 */
export function compiledOnce<T extends object>(statement: T, bindings: Bindings, name = ''): T {
  const select = statement as unknown as SelectInternals
  const session = select.session
  // The statement holds placeholders, not values: it cannot run as drizzle builds it. A drizzle upgrade that
  // changes these internals fails every list test here, not silently in production.
  if (typeof select._prepare !== 'function' || typeof session?.prepareOneTimeQuery !== 'function') {
    throw new Error('compiledOnce: this drizzle-orm version has no _prepare/prepareOneTimeQuery')
  }
  const build = select._prepare.bind(statement)
  select._prepare = () => {
    const key = `${name}|${bindings.key}`
    let compiled = compiledQueries.get(key)
    if (compiled) {
      compiledQueries.delete(key)
      compiledQueries.set(key, compiled)
    } else {
      compiledStatements.builds++
      const built = build()
      compiled = {
        query: built.getQuery(),
        fields: built.fields,
        joinsNotNullableMap: built.joinsNotNullableMap,
      }
      if (compiledQueries.size >= MAX_COMPILED) compiledQueries.delete(compiledQueries.keys().next().value!)
      compiledQueries.set(key, compiled)
    }
    const query = {
      sql: compiled.query.sql,
      params: fillPlaceholders(compiled.query.params, bindings.values),
    }
    if (compiledStatements.verify) verifyCompiled(build(), query, bindings, key)
    const prepared = session.prepareOneTimeQuery!(query, compiled.fields, 'all', true)
    prepared.joinsNotNullableMap = compiled.joinsNotNullableMap
    return prepared
  }
  return statement
}

function verifyCompiled(built: PreparedInternals, query: Query, bindings: Bindings, key: string) {
  const fresh = built.getQuery()
  const params = fillPlaceholders(fresh.params, bindings.values)
  if (fresh.sql !== query.sql || JSON.stringify(params) !== JSON.stringify(query.params)) {
    throw new Error(`compiled statement ${key} differs from the statement built anew`)
  }
}
