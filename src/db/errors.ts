import { DrizzleQueryError } from 'drizzle-orm'

/** Walks an error's cause chain (drizzle wraps driver errors) looking for a SQLite message. */
function messages(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : String(current))
    current = current instanceof Error ? current.cause : undefined
  }
  return parts.join(' | ')
}

/** True when a write failed on a UNIQUE constraint, e.g. `isUniqueViolation(err, 'books.isbn')`. */
export function isUniqueViolation(error: unknown, column: string): boolean {
  const text = messages(error)
  return text.includes('UNIQUE constraint failed') && text.includes(column)
}

/** True when a write failed on a named CHECK constraint, e.g. `isCheckViolation(err, 'books_stock_non_negative')`. */
export function isCheckViolation(error: unknown, constraint: string): boolean {
  const text = messages(error)
  return text.includes('CHECK constraint failed') && text.includes(constraint)
}

/**
 * Failures that mean the database cannot serve right now, as opposed to a bug in a query: locked or busy
 * (SQLITE_BUSY/LOCKED, "database is locked"), corrupt or missing schema (SQLITE_CORRUPT/NOTADB, "malformed",
 * "no such table"), I/O, and D1's or libSQL's own transient failures (network lost, overloaded, object reset, and
 * D1's opaque "internal error; reference = …", which is what a locked database file gives locally).
 * Matched on messages and driver codes along the cause chain (drizzle wraps driver errors).
 */
const UNAVAILABLE =
  /SQLITE_(BUSY|LOCKED|CORRUPT|NOTADB|IOERR|CANTOPEN|FULL|PROTOCOL)|database (table )?is locked|disk image is malformed|file is not a database|unable to open database|no such table|vtable constructor failed|Network connection lost|D1 DB is overloaded|D1_RESET_DO|object to be reset|reset because its code was updated|transient issue|internal error; reference|exceeded timeout|HRANA_WEBSOCKET_ERROR|SERVER_ERROR|ECONNREFUSED|ECONNRESET/i

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (UNAVAILABLE.test(current instanceof Error ? current.message : String(current))) return true
    if (typeof code === 'string' && UNAVAILABLE.test(code)) return true
    current = current instanceof Error ? current.cause : undefined
  }
  return false
}

/** The errors of an error's cause chain, outermost first. */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = []
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    errors.push(current)
    current = current instanceof Error ? current.cause : undefined
  }
  return errors
}

const DRIVER_CODE = /\b(SQLITE_[A-Z_]+|D1_[A-Z_]+)\b/
/** Reasons whose text names only schema objects (never values), kept in the log. */
const SAFE_REASONS = [
  /(?:UNIQUE|CHECK|NOT NULL|FOREIGN KEY|PRIMARY KEY) constraint failed(?:: [\w.]+(?:, [\w.]+)*)?/,
  /no such (?:table|column|function|index): [\w.]+/,
  /database (?:is locked|disk image is malformed|or disk is full)/,
  /syntax error/,
  /too many SQL variables/,
]

function isDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  if (error instanceof DrizzleQueryError) return true
  if (/^Libsql/.test(error.name) || error.constructor?.name?.startsWith('Libsql')) return true
  return DRIVER_CODE.test(error.message)
}

/** The statement's shape: its SQL with any literal blanked (drizzle binds values, but a raw fragment might not). */
function statementShape(query: string): string {
  return query
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .slice(0, 500)
}

/** FNV-1a, to group log lines of one statement without reading it (not a security hash). */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

/**
 * What may be logged about an error (OWASP ASVS 7.1.1, 7.4.1: no personal data or secrets in logs). A database
 * error's message carries the statement's bound parameters (DrizzleQueryError: "Failed query: … params: …", and
 * some D1 messages echo a value), so for one only the kind, the driver's code, a schema-only reason and the
 * statement's shape are kept, plus stack frames without the message. Other errors keep message and stack.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  const errors = chain(error)
  if (!errors.some(isDatabaseError)) {
    if (!(error instanceof Error)) return { errorKind: typeof error, error: String(error) }
    return { errorKind: error.name, error: error.message, stack: error.stack }
  }
  const texts = errors.map((item) => (item instanceof Error ? item.message : String(item))).join('\n')
  const query = errors.find((item) => item instanceof DrizzleQueryError)?.query
  const shape = query === undefined ? undefined : statementShape(query)
  const frames = (error instanceof Error ? (error.stack ?? '') : '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 10)
  return {
    errorKind: 'database',
    code: texts.match(DRIVER_CODE)?.[1],
    reason: SAFE_REASONS.map((pattern) => texts.match(pattern)?.[0]).find(Boolean),
    statement: shape,
    statementFingerprint: shape === undefined ? undefined : fingerprint(shape),
    frames,
  }
}
