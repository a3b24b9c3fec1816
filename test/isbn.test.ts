import { describe, expect, it } from 'vitest'
import { normalizeIsbn } from '../src/lib/isbn'

describe('normalizeIsbn', () => {
  it('accepts a valid ISBN-13 with hyphens', () => {
    expect(normalizeIsbn('978-0-14-143951-8')).toBe('9780141439518')
  })
  it('converts a valid ISBN-10 (including an X check digit) to ISBN-13', () => {
    expect(normalizeIsbn('0-306-40615-2')).toBe('9780306406157')
    expect(normalizeIsbn('080442957X')).toBe('9780804429573')
  })
  it('rejects bad check digits, wrong lengths and non-book prefixes', () => {
    expect(normalizeIsbn('9780141439519')).toBeNull()
    expect(normalizeIsbn('0306406153')).toBeNull()
    expect(normalizeIsbn('12345')).toBeNull()
    expect(normalizeIsbn('1234567890128')).toBeNull()
    expect(normalizeIsbn('97801414395X8')).toBeNull()
  })
})
