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
 * "no such table"), I/O, and D1's or libSQL's own transient failures (network lost, overloaded, object reset).
 * Matched on messages and driver codes along the cause chain (drizzle wraps driver errors).
 */
const UNAVAILABLE =
  /SQLITE_(BUSY|LOCKED|CORRUPT|NOTADB|IOERR|CANTOPEN|FULL|PROTOCOL)|database (table )?is locked|disk image is malformed|file is not a database|unable to open database|no such table|vtable constructor failed|Network connection lost|D1 DB is overloaded|D1_RESET_DO|object to be reset|reset because its code was updated|transient issue|exceeded timeout|HRANA_WEBSOCKET_ERROR|SERVER_ERROR|ECONNREFUSED|ECONNRESET/i

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
