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
