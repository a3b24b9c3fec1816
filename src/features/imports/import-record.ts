import { BOOK_FORMATS, type BookFormat } from '../../db/schema'
import { normalizeIsbn } from '../../lib/isbn'
import { canonicalLanguageTag, isCurrencyCode } from '../../lib/locale'
import { forbiddenTextReason } from '../../lib/xml-chars'

/**
 * One book as a feed states it, before validation: text as found (CSV cells, ONIX element values), `undefined`
 * where the feed says nothing (an update then leaves that field as it is). Both feeds produce this shape, so one
 * validator and one upsert serve both.
 */
export type FeedRecord = {
  /** 1-based: the CSV data line (after the header) or the ONIX <Product> position. */
  rowNumber: number
  isbn?: string
  title?: string
  authors?: string[]
  description?: string
  language?: string
  publishedYear?: string
  releaseDate?: string
  price?: string
  currency?: string
  stock?: string
  publisher?: string
  format?: string
  pageCount?: string
  subjectCodes?: string[]
  /** Set by a feed parser when the record is unusable as it stands (a malformed CSV line, an ONIX product without an ISBN). */
  problem?: string
}

/** A record that passed every check: the values to store. */
export type ImportBook = {
  rowNumber: number
  isbn: string
  title: string
  authors: string[]
  description?: string
  language: string
  publishedYear: number
  releaseDate?: string
  priceAmount: number
  currency: string
  stock?: number
  publisher?: string
  format?: BookFormat
  pageCount?: number
  subjectCodes?: string[]
}

export type ImportReject = { rowNumber: number; isbn: string | null; reason: string }

const MAX_PRICE = 100_000_000
const MAX_SUBJECTS = 20

/**
 * A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first): refused, so
 * the catalogue never hands one on to whoever exports it (OWASP "CSV Injection"). No title, name or publisher
 * needs to start that way.
 */
const FORMULA_START = /^[=+\-@\t\r]/

function textProblem(field: string, value: string, max: number): string | null {
  if (value.length > max) return `${field} is longer than ${max} characters`
  const forbidden = forbiddenTextReason(value)
  if (forbidden) return `${field}: ${forbidden}`
  if (FORMULA_START.test(value)) return `${field} starts like a spreadsheet formula (=, +, -, @): refused`
  return null
}

/** Minor units per major unit for a currency (JPY 0, EUR 2, KWD 3), from the runtime's ISO 4217 data. */
function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  )
}

/** "12.99" → 1299 for EUR; null for anything that is not a plain non-negative decimal with at most the currency's digits. */
export function parsePrice(text: string, currency: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d+))?$/.exec(text.trim())
  if (!match) return null
  const digits = minorDigits(currency)
  const fraction = match[2] ?? ''
  if (fraction.replace(/0+$/, '').length > digits) return null
  const amount =
    Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0').slice(0, digits) || '0')
  return amount <= MAX_PRICE ? amount : null
}

const integerIn = (text: string, min: number, max: number): number | null => {
  if (!/^\d{1,9}$/.test(text.trim())) return null
  const value = Number(text.trim())
  return value >= min && value <= max ? value : null
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const date = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ''

/** Checks one record: the values to store, or the first reason it cannot be imported (stored as its reject). */
export function validateRecord(record: FeedRecord): ImportBook | ImportReject {
  const reject = (reason: string): ImportReject => ({
    rowNumber: record.rowNumber,
    isbn: record.isbn?.trim().slice(0, 32) || null,
    reason,
  })
  if (record.problem) return reject(record.problem)
  if (!present(record.isbn)) return reject('isbn is required')
  const isbn = normalizeIsbn(record.isbn)
  if (!isbn)
    return reject(
      `Not a valid ISBN-13 or ISBN-10 (check digit mismatch?): ${record.isbn.trim().slice(0, 32)}`,
    )
  if (!present(record.title)) return reject('title is required')
  const title = record.title.trim()
  const authors = (record.authors ?? []).map((author) => author.trim()).filter((author) => author !== '')
  if (authors.length === 0) return reject('at least one author is required')
  if (authors.length > 20) return reject('at most 20 authors')
  const description = record.description?.trim()
  const publisher = present(record.publisher) ? record.publisher.trim() : undefined
  const problem =
    textProblem('title', title, 300) ??
    authors.map((author) => textProblem('author', author, 200)).find(Boolean) ??
    (description ? textProblem('description', description, 10_000) : null) ??
    (publisher ? textProblem('publisher', publisher, 200) : null)
  if (problem) return reject(problem)

  if (!present(record.language)) return reject('language is required')
  const language = canonicalLanguageTag(record.language.trim())
  if (!language)
    return reject(`Not a BCP 47 or ISO 639 language code: ${record.language.trim().slice(0, 35)}`)

  const releaseDate = present(record.releaseDate) ? record.releaseDate.trim() : undefined
  if (releaseDate && !isCalendarDate(releaseDate))
    return reject(`release date is not YYYY-MM-DD: ${releaseDate}`)
  const yearText = present(record.publishedYear) ? record.publishedYear : releaseDate?.slice(0, 4)
  if (!yearText) return reject('published year (or release date) is required')
  const publishedYear = integerIn(yearText, 1450, new Date().getUTCFullYear() + 2)
  if (publishedYear === null)
    return reject(`published year out of range (1450 to two years ahead): ${yearText}`)

  if (!present(record.currency)) return reject('currency is required')
  const currency = record.currency.trim().toUpperCase()
  if (!isCurrencyCode(currency)) return reject(`Not an ISO 4217 currency code: ${currency.slice(0, 8)}`)
  if (!present(record.price)) return reject('price is required')
  const priceAmount = parsePrice(record.price, currency)
  if (priceAmount === null)
    return reject(
      `price is not a non-negative amount in ${currency} (e.g. 12.99): ${record.price.trim().slice(0, 20)}`,
    )

  let stock: number | undefined
  if (present(record.stock)) {
    const value = integerIn(record.stock, 0, 1_000_000)
    if (value === null)
      return reject(`stock is not a whole number from 0 to 1000000: ${record.stock.trim().slice(0, 20)}`)
    stock = value
  }
  let pageCount: number | undefined
  if (present(record.pageCount)) {
    const value = integerIn(record.pageCount, 1, 100_000)
    if (value === null)
      return reject(
        `page count is not a whole number from 1 to 100000: ${record.pageCount.trim().slice(0, 20)}`,
      )
    pageCount = value
  }
  let format: BookFormat | undefined
  if (present(record.format)) {
    const value = record.format.trim().toLowerCase()
    if (!(BOOK_FORMATS as readonly string[]).includes(value))
      return reject(`format is not one of ${BOOK_FORMATS.join(', ')}: ${value.slice(0, 20)}`)
    format = value as BookFormat
  }
  let subjectCodes: string[] | undefined
  if (record.subjectCodes) {
    subjectCodes = [...new Set(record.subjectCodes.map((code) => code.trim().toUpperCase()).filter(Boolean))]
    if (subjectCodes.length > MAX_SUBJECTS) return reject(`at most ${MAX_SUBJECTS} subject codes`)
    if (subjectCodes.some((code) => !/^[A-Z0-9.-]{1,24}$/.test(code)))
      return reject('a subject code is malformed')
  }
  return {
    rowNumber: record.rowNumber,
    isbn,
    title,
    authors,
    ...(description !== undefined ? { description } : {}),
    language,
    publishedYear,
    ...(releaseDate ? { releaseDate } : {}),
    priceAmount,
    currency,
    ...(stock !== undefined ? { stock } : {}),
    ...(publisher ? { publisher } : {}),
    ...(format ? { format } : {}),
    ...(pageCount !== undefined ? { pageCount } : {}),
    ...(subjectCodes ? { subjectCodes } : {}),
  }
}

/**
 * Validates every record of a file and refuses the second and later rows of an ISBN that occurs more than once
 * (which of two rows wins would depend on chunking otherwise), naming the first row.
 */
export function validateFeed(records: FeedRecord[]): { books: ImportBook[]; rejects: ImportReject[] } {
  const books: ImportBook[] = []
  const rejects: ImportReject[] = []
  const firstRow = new Map<string, number>()
  for (const record of records) {
    const result = validateRecord(record)
    if ('reason' in result) {
      rejects.push(result)
      continue
    }
    const first = firstRow.get(result.isbn)
    if (first !== undefined) {
      rejects.push({
        rowNumber: result.rowNumber,
        isbn: result.isbn,
        reason: `Duplicate ISBN in this file (first in row ${first})`,
      })
      continue
    }
    firstRow.set(result.isbn, result.rowNumber)
    books.push(result)
  }
  return { books, rejects }
}
