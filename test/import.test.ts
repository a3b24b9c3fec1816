import { eq, inArray, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import {
  auditLog,
  bookSubjects,
  books,
  catalogState,
  importJobs,
  orders,
  subjects,
  works,
} from '../src/db/schema'
import { randomId } from '../src/lib/ids'
import { CSV_HEADER, csvFile, csvRow, onixMessage, onixProduct, uniqueIsbn } from './helpers/catalog-feeds'
import { placeOrder, stockOf } from './helpers/commerce'
import { api, json } from './helpers/http'
import { importFile, uploadImport } from './helpers/imports'
import { createUser } from './helpers/tokens'

const db = () => harness.db()

async function booksByIsbn(isbns: string[]) {
  const rows = await db().select().from(books).where(inArray(books.isbn, isbns))
  return new Map(rows.map((row) => [row.isbn, row]))
}

async function catalogVersion() {
  const [row] = await db().select().from(catalogState).where(eq(catalogState.id, 1))
  return row?.version ?? 0
}

/** A subject with a BISAC or Thema code, as an admin would have created it. */
async function subjectWithCode(code: string) {
  const id = randomId('sb')
  const now = new Date()
  await db()
    .insert(subjects)
    .values({
      id,
      name: `Subject ${code}`,
      slug: `subject-${id}`,
      path: `/${id}/`,
      depth: 0,
      code,
      createdAt: now,
      updatedAt: now,
    })
  return id
}

const uniqueCode = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`

describe('imports and open orders', () => {
  it("a feed's stock is the warehouse count: copies held by unshipped orders are not handed out again", async () => {
    const admin = await createUser('admin')
    const isbn = uniqueIsbn()
    await importFile(admin.token, csvFile([csvRow({ isbn, stock: '2' })]))
    const bookId = (await booksByIsbn([isbn])).get(isbn)!.id
    const customer = await createUser('customer')
    await placeOrder(customer, [[bookId, 2]])
    expect(await stockOf(bookId)).toBe(0)
    // The warehouse still counts the 2 copies on its shelf, held for that order: none is free to sell.
    const again = await importFile(admin.token, csvFile([csvRow({ isbn, stock: '2' })]))
    expect(again).toMatchObject({ unchanged: 1, updated: 0 })
    expect(await stockOf(bookId)).toBe(0)
    // A delivery of 3 more: 5 on the shelf, 2 held, 3 to sell.
    const delivery = await importFile(admin.token, csvFile([csvRow({ isbn, stock: '5' })]))
    expect(delivery).toMatchObject({ updated: 1 })
    expect(await stockOf(bookId)).toBe(3)
  })

  it('a refunded order holds its copies until it ships; once shipped they left the shelf, so a feed counts none', async () => {
    const admin = await createUser('admin')
    const isbn = uniqueIsbn()
    await importFile(admin.token, csvFile([csvRow({ isbn, stock: '2' })]))
    const bookId = (await booksByIsbn([isbn])).get(isbn)!.id
    const order = await placeOrder(await createUser('customer'), [[bookId, 2]])
    // Refunded before shipping (written as the refund flow leaves it): the 2 copies are still held on the shelf.
    await db().update(orders).set({ status: 'refunded' }).where(eq(orders.id, order.id))
    await importFile(admin.token, csvFile([csvRow({ isbn, stock: '3' })]))
    expect(await stockOf(bookId)).toBe(1)
    // Shipped, then refunded: the copies went out with the parcel, so the warehouse's 3 are all free to sell.
    await db().update(orders).set({ shippedAt: new Date() }).where(eq(orders.id, order.id))
    await importFile(admin.token, csvFile([csvRow({ isbn, stock: '3' })]))
    expect(await stockOf(bookId)).toBe(3)
  })
})

describe('POST /v1/admin/imports (CSV)', () => {
  it('creates each new ISBN as a book and a work, files its subjects by code, and reports the counts', async () => {
    const admin = await createUser('admin')
    const fantasy = uniqueCode('FIC')
    const fantasyId = await subjectWithCode(fantasy)
    const rows = [
      csvRow({ subjects: `${fantasy};UNKNOWN1` }),
      csvRow({ title: 'Second, with "quotes"', stock: '', format: '' }),
    ]
    const job = await importFile(admin.token, csvFile(rows))
    expect(job).toMatchObject({
      format: 'csv',
      status: 'completed',
      totalRows: 2,
      processedRows: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      error: null,
    })
    expect(job.finishedAt).not.toBeNull()

    const stored = await booksByIsbn(rows.map((row) => row.isbn!))
    const first = stored.get(rows[0]!.isbn!)!
    expect(first).toMatchObject({
      title: 'The Imported Book',
      authors: ['Ada Writer', 'Bo Coauthor'],
      language: 'en',
      publishedYear: 2021,
      priceAmount: 1299,
      currency: 'EUR',
      stock: 5,
      publisher: 'Folio Press',
      format: 'paperback',
      pageCount: 320,
    })
    expect(stored.get(rows[1]!.isbn!)).toMatchObject({
      title: 'Second, with "quotes"',
      stock: 0,
      format: null,
    })
    const [work] = await db().select().from(works).where(eq(works.id, first.workId!))
    expect(work?.title).toBe('The Imported Book')
    const filed = await db().select().from(bookSubjects).where(eq(bookSubjects.bookId, first.id))
    expect(filed).toEqual([{ subjectId: fantasyId, bookId: first.id }])
    const book = await json(await api('GET', `/v1/books/${first.id}`))
    expect(book.isbn).toBe(rows[0]!.isbn)
    const [audit] = await db().select().from(auditLog).where(eq(auditLog.targetId, job.id))
    expect(audit).toMatchObject({
      action: 'import.create',
      actorId: admin.id,
      after: { format: 'csv', fileSha256: job.fileSha256 },
    })
  })

  it('importing the same file again changes nothing: every row unchanged, no write, no catalog version bump', async () => {
    const admin = await createUser('admin')
    const file = csvFile([csvRow(), csvRow({ title: 'Another, with a comma' }), csvRow()])
    const first = await importFile(admin.token, file)
    expect(first.created).toBe(3)
    const before = await booksByIsbn(
      file
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[0]!),
    )
    const version = await catalogVersion()

    const again = await importFile(admin.token, file)
    expect(again).toMatchObject({ status: 'completed', created: 0, updated: 0, unchanged: 3, rejected: 0 })
    expect(again.id).not.toBe(first.id)
    expect(again.fileSha256).toBe(first.fileSha256)
    expect(await catalogVersion()).toBe(version)
    const after = await booksByIsbn([...before.keys()])
    for (const [isbn, row] of before)
      expect(after.get(isbn)?.updatedAt.getTime(), isbn).toBe(row.updatedAt.getTime())
  })

  it('updates only what changed, and leaves fields the file leaves empty as they are', async () => {
    const admin = await createUser('admin')
    const row = csvRow({ stock: '9' })
    await importFile(admin.token, csvFile([row]))
    const job = await importFile(admin.token, csvFile([{ ...row, price: '14.50', stock: '' }]))
    expect(job).toMatchObject({ created: 0, updated: 1, unchanged: 0 })
    const stored = (await booksByIsbn([row.isbn!])).get(row.isbn!)
    expect(stored).toMatchObject({ priceAmount: 1450, stock: 9 })
  })

  it('stores every rejected row with its reason, paged in row order', async () => {
    const admin = await createUser('admin')
    const duplicate = uniqueIsbn()
    const rows = [
      csvRow({ isbn: duplicate }),
      csvRow({ isbn: '9780141439519' }),
      csvRow({ title: '=HYPERLINK("http://evil.example","click")' }),
      csvRow({ title: '' }),
      csvRow({ isbn: duplicate, title: 'Again' }),
      csvRow({ price: 'free' }),
      csvRow(),
    ]
    const job = await importFile(admin.token, csvFile(rows))
    expect(job).toMatchObject({ status: 'completed', totalRows: 7, created: 2, rejected: 5 })

    const first = await api('GET', `/v1/admin/imports/${job.id}/rejects?limit=2`, { token: admin.token })
    expect(first.status).toBe(200)
    const page1 = await json(first)
    expect(page1.data).toEqual([
      { row: 2, isbn: '9780141439519', reason: expect.stringMatching(/check digit/) },
      { row: 3, isbn: rows[2]!.isbn, reason: expect.stringMatching(/formula/) },
    ])
    expect(first.headers.get('Link')).toMatch(/rel="next"/)
    const page2 = await json(
      await api('GET', `/v1/admin/imports/${job.id}/rejects?limit=10&cursor=${page1.nextCursor}`, {
        token: admin.token,
      }),
    )
    expect(page2.data.map((reject: { row: number }) => reject.row)).toEqual([4, 5, 6])
    expect(page2.data[1].reason).toBe('Duplicate ISBN in this file (first in row 1)')
    expect(page2.nextCursor).toBeNull()
  })

  it('fails the job, with a reason, when the file lacks required columns', async () => {
    const admin = await createUser('admin')
    const job = await importFile(admin.token, 'isbn,title\n9780141439518,Emma\n')
    expect(job).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/lacks the columns authors, language, price, currency/),
    })
  })
})

describe('POST /v1/admin/imports (ONIX for Books 3.0)', () => {
  it('imports products: ISBN, title, A01 authors, BISAC/Thema subjects, format, price, stock; again: unchanged', async () => {
    const admin = await createUser('admin')
    const bisac = uniqueCode('FIC')
    const thema = uniqueCode('FM')
    const [bisacId, themaId] = [await subjectWithCode(bisac), await subjectWithCode(thema)]
    const isbns = [uniqueIsbn(), uniqueIsbn()]
    const xml = onixMessage([
      onixProduct({
        isbn: isbns[0],
        title: 'Fire & Ice',
        authors: ['Ann Author'],
        form: 'BB',
        bisac: [bisac],
        thema: [thema],
        onHand: '4',
        pages: '500',
      }),
      onixProduct({ isbn: isbns[1], form: 'ED', currency: 'EUR', price: '4.99', language: 'ger' }),
      onixProduct({ title: 'No ISBN' }),
    ])
    const job = await importFile(admin.token, xml, 'application/xml')
    expect(job).toMatchObject({ format: 'onix', status: 'completed', totalRows: 3, created: 2, rejected: 1 })
    const stored = await booksByIsbn(isbns)
    expect(stored.get(isbns[0]!)).toMatchObject({
      title: 'Fire & Ice',
      authors: ['Ann Author'],
      format: 'hardcover',
      priceAmount: 1099,
      currency: 'GBP',
      stock: 4,
      pageCount: 500,
      releaseDate: '2024-01-15',
      publishedYear: 2024,
      publisher: 'Onix House',
      language: 'en',
    })
    expect(stored.get(isbns[1]!)).toMatchObject({
      format: 'ebook',
      priceAmount: 499,
      currency: 'EUR',
      language: 'de',
      stock: 0,
    })
    const filed = await db()
      .select()
      .from(bookSubjects)
      .where(eq(bookSubjects.bookId, stored.get(isbns[0]!)!.id))
    expect(filed.map((row) => row.subjectId).sort()).toEqual([bisacId, themaId].sort())

    const again = await importFile(admin.token, xml, 'application/xml')
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: 1 })
  })

  it('refuses XML with a DOCTYPE or entity declarations before storing anything (XXE, billion laughs)', async () => {
    const admin = await createUser('admin')
    const countJobs = async () =>
      (await db().select({ count: sql<number>`count(*)` }).from(importJobs))[0]!.count
    const jobsBefore = await countJobs()
    for (const body of [
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ONIXMessage>&e;</ONIXMessage>',
      '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><ONIXMessage>&b;</ONIXMessage>',
    ]) {
      const response = await uploadImport(admin.token, body, 'application/xml')
      expect(response.status).toBe(422)
      expect(response.headers.get('Content-Type')).toMatch(/^application\/problem\+json/)
      expect((await json(response)).detail).toMatch(/DOCTYPE/)
    }
    expect(await countJobs()).toBe(jobsBefore)
  })

  it('fails a job whose XML is not ONIX', async () => {
    const admin = await createUser('admin')
    const job = await importFile(admin.token, '<rss version="2.0"><channel/></rss>', 'text/xml')
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/ONIXMessage/) })
  })
})

describe('upload limits and access', () => {
  it('refuses other media types (415), an empty body and non-UTF-8 bytes (422)', async () => {
    const admin = await createUser('admin')
    const json415 = await uploadImport(admin.token, '{}', 'application/json')
    expect(json415.status).toBe(415)
    expect(json415.headers.get('Accept-Post')).toBe('text/csv, application/xml')
    expect((await uploadImport(admin.token, 'x', 'text/plain')).status).toBe(415)
    expect((await uploadImport(admin.token, '', 'text/csv')).status).toBe(422)
    const latin1 = new Uint8Array([...new TextEncoder().encode(`${CSV_HEADER}\n`), 0xe9, 0x0a])
    const notUtf8 = await uploadImport(admin.token, latin1, 'text/csv')
    expect(notUtf8.status).toBe(422)
    expect((await json(notUtf8)).title).toBe('Not UTF-8')
  })

  it('refuses a file over 10 MB with 413, from its Content-Length, before reading it', async () => {
    const admin = await createUser('admin')
    const big = `${CSV_HEADER}\n${'x'.repeat(10 * 1024 * 1024 + 1)}`
    const response = await uploadImport(admin.token, big, 'text/csv')
    expect(response.status).toBe(413)
    expect((await json(response)).status).toBe(413)
  })

  it('is for admins: a customer gets 403 and sees no job', async () => {
    const admin = await createUser('admin')
    const customer = await createUser('customer')
    expect((await uploadImport(customer.token, csvFile([csvRow()]), 'text/csv')).status).toBe(403)
    const job = await importFile(admin.token, csvFile([csvRow()]))
    expect((await api('GET', `/v1/admin/imports/${job.id}`, { token: customer.token })).status).toBe(403)
    expect((await api('GET', `/v1/admin/imports/imp_${'0'.repeat(26)}`, { token: admin.token })).status).toBe(
      404,
    )
    expect(
      (await api('GET', `/v1/admin/imports/imp_${'0'.repeat(26)}/rejects`, { token: admin.token })).status,
    ).toBe(404)
  })

  it('forgets who started a job when that admin’s account is deleted', async () => {
    const starter = await createUser('admin')
    const other = await createUser('admin')
    const job = await importFile(starter.token, csvFile([csvRow()]))
    const [before] = await db().select().from(importJobs).where(eq(importJobs.id, job.id))
    expect(before?.createdBy).toBe(starter.id)
    expect((await api('DELETE', `/v1/admin/users/${starter.id}`, { token: other.token })).status).toBe(204)
    const [after] = await db().select().from(importJobs).where(eq(importJobs.id, job.id))
    expect(after?.createdBy).toBeNull()
  })
})
