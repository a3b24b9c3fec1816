import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable } from '../src/db/errors'

const wrapped = (message: string) => new Error('Failed query: select 1', { cause: new Error(message) })

describe('isDatabaseUnavailable (issue 9 item 10: outages are 503, bugs stay 500)', () => {
  it.each([
    'SQLITE_BUSY: database is locked',
    'D1_ERROR: Network connection lost.',
    'D1_ERROR: D1 DB is overloaded. Too many requests queued.',
    'D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.',
    'SQLITE_CORRUPT: database disk image is malformed',
    'D1_ERROR: no such table: books_fts: SQLITE_ERROR',
    // What local D1 answers while another process holds the SQLite file locked (found by the adversarial review).
    'D1_ERROR: internal error; reference = 2f8b6d1c0a9e4e7f8d3c',
  ])('%s → unavailable, also wrapped by drizzle', (message) => {
    expect(isDatabaseUnavailable(new Error(message))).toBe(true)
    expect(isDatabaseUnavailable(wrapped(message))).toBe(true)
  })

  it.each([
    'D1_ERROR: UNIQUE constraint failed: books.isbn: SQLITE_CONSTRAINT',
    'CHECK constraint failed: books_stock_non_negative',
    'no such column: secret',
    'Cannot read properties of undefined',
  ])('%s → a bug or a rule, not an outage', (message) => {
    expect(isDatabaseUnavailable(wrapped(message))).toBe(false)
  })

  it('reads driver codes too', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('locked'), { code: 'SQLITE_BUSY' }))).toBe(true)
  })
})
