import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { bookSubjects, books, works } from '../src/db/schema'
import { createBook as createRawBook } from './helpers/commerce'
import { bookInput, createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

const getBook = async (id: string) => json(await api('GET', `/v1/books/${id}`))
const patch = async (id: string, body: Record<string, unknown>) =>
  api('PATCH', `/v1/books/${id}`, { token: await adminToken(), body })

describe('works and editions', () => {
  it('gives a new book a work of its own, and an edition joins the work it names', async () => {
    const hardcover = await createBook({ format: 'hardcover', price: { amount: 2499, currency: 'EUR' } })
    expect(hardcover.workId).toMatch(/^wk_[0-9a-z]{26}$/)
    expect(hardcover.editions).toEqual([])
    const ebook = await createBook({ format: 'ebook', editionOf: hardcover.id, stock: 0 })
    expect(ebook.workId).toBe(hardcover.workId)
    expect(ebook.editions).toEqual([
      {
        id: hardcover.id,
        isbn: hardcover.isbn,
        format: 'hardcover',
        price: { amount: 2499, currency: 'EUR' },
        inStock: true,
      },
    ])
    const paperback = await createBook({ format: 'paperback', editionOf: ebook.id })
    const page = await getBook(hardcover.id)
    expect(page.editions.map((edition: { id: string }) => edition.id)).toEqual([paperback.id, ebook.id])
    expect(page.editions[1]).toMatchObject({ format: 'ebook', inStock: false })
  })

  it('joins a book written around the API without a work, giving it one first', async () => {
    const raw = await createRawBook()
    const edition = await createBook({ editionOf: raw })
    expect(edition.workId).toBe(`wk_${raw.slice(3)}`)
    expect((await getBook(raw)).editions.map((item: { id: string }) => item.id)).toEqual([edition.id])
    expect(await harness.db().select().from(works).where(eq(works.id, edition.workId))).toHaveLength(1)
  })

  it('refuses an edition of a book that does not exist', async () => {
    const response = await api('POST', '/v1/books', {
      token: await adminToken(),
      body: bookInput({ editionOf: `bk_${'0'.repeat(26)}` }),
    })
    expect(response.status).toBe(422)
    expect((await json(response)).errors).toEqual([{ pointer: '/body/editionOf', detail: 'Unknown book' }])
  })

  it('splits an edition back out with editionOf: null; an edition alone in its work keeps it', async () => {
    const first = await createBook()
    const second = await createBook({ editionOf: first.id })
    const split = await patch(second.id, { editionOf: null })
    expect(split.status).toBe(200)
    const alone = await json(split)
    expect(alone.workId).toMatch(/^wk_[0-9a-z]{26}$/)
    expect(alone.workId).not.toBe(first.workId)
    expect(alone.editions).toEqual([])
    expect((await getBook(first.id)).editions).toEqual([])
    const again = await json(await patch(second.id, { editionOf: null }))
    expect(again.workId).toBe(alone.workId)
  })

  it('moves an edition to another work, deleting the work it leaves empty', async () => {
    const first = await createBook()
    const second = await createBook()
    const moved = await patch(second.id, { editionOf: first.id })
    expect(moved.status).toBe(200)
    expect((await json(moved)).workId).toBe(first.workId)
    expect(await harness.db().select().from(works).where(eq(works.id, second.workId))).toEqual([])
    expect((await getBook(first.id)).editions.map((edition: { id: string }) => edition.id)).toEqual([
      second.id,
    ])
  })

  it('deletes a book with its filings, and its work when it was the last edition', async () => {
    const subject = await json(
      await api('POST', '/v1/subjects', { token: await adminToken(), body: { name: uniqueWord('del') } }),
    )
    const book = await createBook({ subjectIds: [subject.id] })
    const edition = await createBook({ editionOf: book.id })
    const token = await adminToken()
    expect((await api('DELETE', `/v1/books/${edition.id}`, { token })).status).toBe(204)
    expect(await harness.db().select().from(works).where(eq(works.id, book.workId))).toHaveLength(1)
    expect((await api('DELETE', `/v1/books/${book.id}`, { token })).status).toBe(204)
    expect(await harness.db().select().from(works).where(eq(works.id, book.workId))).toEqual([])
    expect(await harness.db().select().from(bookSubjects).where(eq(bookSubjects.bookId, book.id))).toEqual([])
  })
})

describe('edition fields', () => {
  it('stores publisher, format, page count, release date and series, and a book without them still works', async () => {
    const seriesName = `Saga ${uniqueWord()}`
    const first = await createBook({
      publisher: 'Allen & Unwin',
      format: 'hardcover',
      pageCount: 423,
      releaseDate: '1954-07-29',
      series: { name: seriesName, position: 1 },
    })
    expect(first).toMatchObject({
      publisher: 'Allen & Unwin',
      format: 'hardcover',
      pageCount: 423,
      releaseDate: '1954-07-29',
      series: { name: seriesName, position: 1 },
      coverUrl: null,
    })
    expect(first.series.id).toMatch(/^sr_/)
    const second = await createBook({ series: { name: seriesName, position: 2.5 } })
    expect(second.series).toEqual({ id: first.series.id, name: seriesName, position: 2.5 })

    const plain = await createBook()
    expect(plain).toMatchObject({
      publisher: null,
      format: null,
      pageCount: null,
      releaseDate: null,
      series: null,
      subjects: [],
    })
    expect(await getBook(first.id)).toMatchObject({ series: first.series, publisher: 'Allen & Unwin' })
  })

  it('changes and clears edition fields', async () => {
    const book = await createBook({ publisher: 'Old House', series: { name: uniqueWord('s'), position: 3 } })
    const changed = await json(await patch(book.id, { publisher: null, series: null, format: 'audiobook' }))
    expect(changed).toMatchObject({ publisher: null, series: null, format: 'audiobook' })
  })

  it.each([
    ['an impossible date', { releaseDate: '2024-02-30' }, '/body/releaseDate'],
    ['a date with a time', { releaseDate: '2024-02-03T10:00:00Z' }, '/body/releaseDate'],
    ['an unknown format', { format: 'scroll' }, '/body/format'],
    ['zero pages', { pageCount: 0 }, '/body/pageCount'],
    ['a series without a name', { series: { position: 1 } }, '/body/series/name'],
    ['an unknown series field', { series: { name: 'x', volume: 1 } }, '/body/series/volume'],
  ])('refuses %s (422)', async (_, fields, pointer) => {
    const response = await api('POST', '/v1/books', { token: await adminToken(), body: bookInput(fields) })
    expect(response.status).toBe(422)
    expect((await json(response)).errors.map((error: { pointer: string }) => error.pointer)).toContain(
      pointer,
    )
  })

  it('filters by format, publisher (case-insensitively) and series', async () => {
    const publisher = `Press ${uniqueWord()}`
    const seriesName = `Cycle ${uniqueWord()}`
    const ebook = await createBook({ publisher, format: 'ebook', series: { name: seriesName, position: 1 } })
    const hardcover = await createBook({ publisher, format: 'hardcover' })
    const ids = async (query: string) =>
      (await json(await api('GET', `/v1/books?${query}`))).data.map((book: { id: string }) => book.id)
    expect((await ids(`publisher=${encodeURIComponent(publisher.toUpperCase())}`)).sort()).toEqual(
      [ebook.id, hardcover.id].sort(),
    )
    expect(await ids(`publisher=${encodeURIComponent(publisher)}&format=ebook`)).toEqual([ebook.id])
    expect(await ids(`series=${ebook.series.id}`)).toEqual([ebook.id])
    expect((await api('GET', '/v1/books?format=scroll')).status).toBe(400)
    expect((await api('GET', '/v1/books?series=nonsense')).status).toBe(400)
  })

  it('carries a cover URL under PUBLIC_API_URL once the book has a cover', async () => {
    const book = await createBook()
    const key = `${book.id}/0123456789abcdef.webp`
    await harness.db().update(books).set({ coverKey: key }).where(eq(books.id, book.id))
    const base = harness.env.PUBLIC_API_URL ?? 'http://localhost:8787'
    expect((await getBook(book.id)).coverUrl).toBe(`${base}/v1/covers/${key}`)
  })

  it('speaks XML too', async () => {
    const first = await createBook({ format: 'paperback', publisher: 'XML Press' })
    await createBook({ editionOf: first.id, format: 'ebook' })
    const response = await api('GET', `/v1/books/${first.id}`, { headers: { Accept: 'application/xml' } })
    const text = await response.text()
    expect(text).toContain(`<workId>${first.workId}</workId>`)
    expect(text).toContain('<publisher>XML Press</publisher>')
    expect(text).toMatch(/<editions><item><id>bk_[0-9a-z]{26}<\/id>.*<format>ebook<\/format>/)
  })
})
