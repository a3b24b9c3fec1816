import { describe, expect, it } from 'vitest'
import { FeedError, parseCsvFeed } from '../src/features/imports/csv-feed'
import { parsePrice, validateFeed, validateRecord } from '../src/features/imports/import-record'
import { parseOnixFeed } from '../src/features/imports/onix-feed'
import { CSV_HEADER, csvFile, csvRow, onixMessage, onixProduct, uniqueIsbn } from './helpers/catalog-feeds'

describe('CSV feed (RFC 4180, Papa Parse)', () => {
  it('reads a header and records, quoted cells with commas, quotes and line breaks included', () => {
    const isbn = uniqueIsbn()
    const text = csvFile([
      csvRow({ isbn, title: 'Eats, Shoots "and" Leaves\nA Guide', subjects: 'FIC009000; FBA' }),
    ])
    const [record] = parseCsvFeed(text)
    expect(record).toMatchObject({
      rowNumber: 1,
      isbn,
      title: 'Eats, Shoots "and" Leaves\nA Guide',
      authors: ['Ada Writer', 'Bo Coauthor'],
      subjectCodes: ['FIC009000', 'FBA'],
      price: '12.99',
    })
  })

  it('fails the whole file when required columns are missing', () => {
    expect(() => parseCsvFeed('isbn,title\n9780141439518,Emma')).toThrow(FeedError)
    expect(() => parseCsvFeed('')).toThrow(/lacks the columns/)
    expect(() => parseCsvFeed(CSV_HEADER.replace(',published_year', ''))).toThrow(
      /published_year or release_date/,
    )
  })

  it('makes a malformed record (wrong field count, unbalanced quote) that row’s problem, not the file’s', () => {
    const good = csvRow()
    const text = [CSV_HEADER, 'only,three,fields', `${good.isbn},"unterminated,x`].join('\n')
    const records = parseCsvFeed(text)
    expect(records[0]?.problem).toMatch(/Malformed CSV record/)
    expect(records.at(-1)?.problem).toMatch(/Malformed CSV record/)
  })

  it('strips a UTF-8 byte order mark and takes header names case-insensitively', () => {
    const records = parseCsvFeed(`\uFEFF${CSV_HEADER.toUpperCase()}\n${csvFile([csvRow()]).split('\r\n')[1]}`)
    expect(records[0]?.isbn).toMatch(/^978/)
  })
})

describe('row validation', () => {
  const valid = (overrides: Parameters<typeof csvRow>[0] = {}) =>
    parseCsvFeed(csvFile([csvRow(overrides)]))[0]!

  it('accepts a good row and converts price, ISBN-10 and language', () => {
    expect(validateRecord(valid({ isbn: '0-14-143951-3', price: '12.5', language: 'EN-gb' }))).toMatchObject({
      isbn: '9780141439518',
      priceAmount: 1250,
      language: 'en-GB',
      publishedYear: 2021,
      stock: 5,
      format: 'paperback',
      pageCount: 320,
    })
  })

  it('rejects bad checksums, missing fields, bad prices, languages and formats, each with its reason', () => {
    const reasons = [
      valid({ isbn: '9780141439519' }),
      valid({ isbn: '0141439512' }),
      valid({ title: '' }),
      valid({ authors: ' ; ' }),
      valid({ price: '-1' }),
      valid({ price: '12.999' }),
      valid({ price: '1e3' }),
      valid({ currency: 'EURO' }),
      valid({ language: 'not a language' }),
      valid({ published_year: '1200' }),
      valid({ stock: '2.5' }),
      valid({ format: 'scroll' }),
    ].map((record) => (validateRecord(record) as { reason?: string }).reason)
    expect(reasons).toEqual([
      expect.stringMatching(/check digit/),
      expect.stringMatching(/check digit/),
      'title is required',
      'at least one author is required',
      expect.stringMatching(/^price is not/),
      expect.stringMatching(/^price is not/),
      expect.stringMatching(/^price is not/),
      expect.stringMatching(/ISO 4217/),
      expect.stringMatching(/language/),
      expect.stringMatching(/published year/),
      expect.stringMatching(/stock/),
      expect.stringMatching(/format/),
    ])
  })

  it('refuses cells that a spreadsheet would run as formulas (OWASP CSV injection)', () => {
    for (const title of [
      '=HYPERLINK("http://evil.example","x")',
      '+1+cmd|calc',
      '-2+3',
      '@SUM(A1)',
      ' \t=1+1',
    ])
      expect((validateRecord(valid({ title })) as { reason?: string }).reason, title).toMatch(/formula/)
    expect((validateRecord(valid({ authors: 'Ada;=cmd|/c calc' })) as { reason?: string }).reason).toMatch(
      /formula/,
    )
    expect(validateRecord(valid({ title: 'Fine = good' }))).not.toHaveProperty('reason')
  })

  it('refuses control characters XML cannot carry', () => {
    expect((validateRecord(valid({ title: 'Bell \u0007' })) as { reason?: string }).reason).toMatch(/title/)
  })

  it('rejects the second and later rows of an ISBN that occurs twice in one file', () => {
    const isbn = uniqueIsbn()
    const records = parseCsvFeed(csvFile([csvRow({ isbn }), csvRow(), csvRow({ isbn, title: 'Other' })]))
    const { books, rejects } = validateFeed(records)
    expect(books.map((book) => book.rowNumber)).toEqual([1, 2])
    expect(rejects).toEqual([{ rowNumber: 3, isbn, reason: 'Duplicate ISBN in this file (first in row 1)' }])
  })

  it('normalises subject codes (BISAC, Thema with qualifiers) and refuses malformed ones', () => {
    expect(validateRecord(valid({ subjects: 'fic009000; 1DDU-GB-E;FIC009000' }))).toMatchObject({
      subjectCodes: ['FIC009000', '1DDU-GB-E'],
    })
    expect(validateRecord(valid({ subjects: 'FIC009000;<script>' }))).toMatchObject({
      reason: 'a subject code is malformed',
    })
  })

  it('parses prices in the currency’s own minor units', () => {
    expect(parsePrice('12.99', 'EUR')).toBe(1299)
    expect(parsePrice('1500', 'JPY')).toBe(1500)
    expect(parsePrice('15.5', 'JPY')).toBeNull()
    expect(parsePrice('1.234', 'KWD')).toBe(1234)
    expect(parsePrice('7', 'USD')).toBe(700)
    expect(parsePrice('12.90', 'EUR')).toBe(1290)
    expect(parsePrice('99999999999', 'EUR')).toBeNull()
  })
})

describe('ONIX for Books 3.0 feed', () => {
  it('reads ISBN, title, authors (A01 only), subjects, format, language, date, price (type 02), stock', () => {
    const isbn = uniqueIsbn()
    const xml = onixMessage([
      onixProduct({
        isbn,
        title: 'Dungeons & Dragons',
        authors: ['Ann Author', 'Ben Author'],
        form: 'BB',
        bisac: ['FIC009000'],
        thema: ['FMB'],
        onHand: '7',
        pages: '412',
        description: 'A quest.',
      }),
    ])
    const [record] = parseOnixFeed(xml)
    expect(record).toEqual({
      rowNumber: 1,
      isbn,
      title: 'Dungeons & Dragons',
      authors: ['Ann Author', 'Ben Author'],
      description: 'A quest.',
      language: 'eng',
      releaseDate: '2024-01-15',
      price: '10.99',
      currency: 'GBP',
      stock: '7',
      publisher: 'Onix House',
      format: 'hardcover',
      pageCount: '412',
      subjectCodes: ['FIC009000', 'FMB'],
    })
    expect(validateRecord(record!)).toMatchObject({
      language: 'en',
      publishedYear: 2024,
      priceAmount: 1099,
      stock: 7,
    })
  })

  it('maps e-book and audiobook forms, and reads not-available as no stock', () => {
    const products = ['ED', 'EA', 'AJ', 'AN', 'AC', 'ZZ'].map((form) =>
      onixProduct({ isbn: uniqueIsbn(), form, availability: '40' }),
    )
    const records = parseOnixFeed(onixMessage(products))
    expect(records.map((record) => record.format)).toEqual([
      'ebook',
      'ebook',
      'audiobook',
      'audiobook',
      'audiobook',
      undefined,
    ])
    expect(records.every((record) => record.stock === '0')).toBe(true)
  })

  it('makes a product without an ISBN-13 that row’s reject', () => {
    const [record] = parseOnixFeed(onixMessage([onixProduct({})]))
    expect(validateRecord(record!)).toMatchObject({ reason: expect.stringMatching(/ProductIDType 15/) })
  })

  it('refuses a DOCTYPE or entity declaration before parsing (XXE, billion laughs)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE ONIXMessage [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><ONIXMessage release="3.0"><Product><RecordReference>&xxe;</RecordReference></Product></ONIXMessage>`
    expect(() => parseOnixFeed(xxe)).toThrow(/DOCTYPE/)
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><ONIXMessage>&lol2;</ONIXMessage>`
    expect(() => parseOnixFeed(laughs)).toThrow(FeedError)
    expect(() => parseOnixFeed('<!doctype x><ONIXMessage/>')).toThrow(/DOCTYPE/)
  })

  it('fails malformed XML, a foreign root, short tags, another release, and deep nesting', () => {
    expect(() => parseOnixFeed('<ONIXMessage><Product></ONIXMessage>')).toThrow(/well-formed/)
    expect(() => parseOnixFeed('<rss><channel/></rss>')).toThrow(/no <ONIXMessage> root/)
    expect(() => parseOnixFeed('<ONIXmessage release="3.0"><product/></ONIXmessage>')).toThrow(/short tags/)
    expect(() => parseOnixFeed('<ONIXMessage release="2.1"></ONIXMessage>')).toThrow(/not 3/)
    const deep = `<ONIXMessage release="3.0">${'<a>'.repeat(500)}${'</a>'.repeat(500)}</ONIXMessage>`
    expect(() => parseOnixFeed(deep)).toThrow(FeedError)
  })
})
