import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { createDb } from '../src/db/client'
import { books } from '../src/db/schema'
import { generatedBook } from '../src/db/seed'
import { api } from './helpers/http'

describe('createDb', () => {
  it('runs queries and batches through the session wrapper, counting and timing them', async () => {
    // A clock that advances 7 ms per reading: each statement is read twice (start, end), so adds exactly 7.
    let clock = 0
    const { db, stats } = createDb(harness.env, { now: () => (clock += 7) })
    const [a, b] = [generatedBook(900_001), generatedBook(900_002)]
    await db.batch([db.insert(books).values(a), db.insert(books).values(b)])
    const rows = await db.select({ id: books.id }).from(books).where(eq(books.isbn, a.isbn))
    expect(rows).toEqual([{ id: a.id }])
    expect(stats.queries).toBe(2)
    expect(stats.durationMs).toBe(2 * 7)
  })

  it('serves relational queries (db.query, built on first use) over the same counted session', async () => {
    const { db, stats } = createDb(harness.env)
    const book = generatedBook(900_005)
    await db.insert(books).values(book)
    const found = await db.query.books.findFirst({ columns: { id: true }, where: eq(books.isbn, book.isbn) })
    expect(found).toEqual({ id: book.id })
    // The same builders on a second use, and both statements went through this request's counters.
    expect(db.query.books).toBe(db.query.books)
    expect(stats.queries).toBe(2)
    // A batch mixes relational and plain queries as before.
    const [one, all] = await db.batch([
      db.query.books.findFirst({ columns: { id: true }, where: eq(books.id, book.id) }),
      db.select({ id: books.id }).from(books).where(eq(books.id, book.id)),
    ])
    expect(one).toEqual({ id: book.id })
    expect(all).toEqual([{ id: book.id }])
  })

  it('rolls back a whole batch when one statement fails', async () => {
    const { db } = createDb(harness.env)
    const fresh = generatedBook(900_003)
    const duplicate = { ...generatedBook(900_004), isbn: fresh.isbn }
    await expect(
      db.batch([db.insert(books).values(fresh), db.insert(books).values(duplicate)]),
    ).rejects.toThrow()
    const [row] = await db.select({ n: sql<number>`count(*)` }).from(books).where(eq(books.isbn, fresh.isbn))
    expect(row?.n).toBe(0)
  })

  it('returns a D1 bookmark on every response (D1 only) and ignores a garbage one', async () => {
    const first = await api('GET', '/v1/books?limit=1')
    const bookmark = first.headers.get('X-D1-Bookmark')
    if (harness.runtime === 'workerd') {
      expect(bookmark).toBeTruthy()
      const next = await api('GET', '/v1/books?limit=1', { headers: { 'X-D1-Bookmark': bookmark! } })
      expect(next.status).toBe(200)
    } else {
      expect(bookmark).toBeNull()
    }
    const garbage = await api('GET', '/v1/books?limit=1', {
      headers: { 'X-D1-Bookmark': "'; DROP TABLE books;--" },
    })
    expect(garbage.status).toBe(200)
  })
})
