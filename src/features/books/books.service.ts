import { and, asc, desc, eq, gt, gte, lte, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { booksFts } from '../../db/fts'
import { type BookRow, books } from '../../db/schema'
import { decodeCursor, encodeCursor, invalidCursor } from '../../http/pagination'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { auditedBookWrite } from './books.audit'
import type { Book, BookCreate, BookUpdate, ListBooksQuery } from './books.schemas'
import { buildMatchExpression } from './search-query'

export function toBook(row: BookRow): Book {
  return {
    id: row.id,
    isbn: row.isbn,
    title: row.title,
    authors: row.authors,
    description: row.description,
    language: row.language,
    publishedYear: row.publishedYear,
    price: { amount: row.priceAmount, currency: row.currency },
    stock: row.stock,
    inStock: row.stock > 0,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

type SortField = NonNullable<ListBooksQuery['sort']>

/** What each sort orders by; the title sort is case-insensitive, matching books_title_idx. */
function sortKey(sort: SortField): SQL {
  switch (sort) {
    case 'relevance':
      return sql`${booksFts.rank}`
    case 'title':
      return sql`${books.title} COLLATE NOCASE`
    case 'price':
      return sql`${books.priceAmount}`
    case 'publishedYear':
      return sql`${books.publishedYear}`
    case 'createdAt':
      return sql`${books.createdAt}`
  }
}

function sortValue(sort: SortField, row: BookRow, rank: number | null): string | number {
  switch (sort) {
    case 'relevance':
      return rank ?? 0
    case 'title':
      return row.title
    case 'price':
      return row.priceAmount
    case 'publishedYear':
      return row.publishedYear
    case 'createdAt':
      return row.createdAt.getTime()
  }
}

const cursorSchema = z.object({
  s: z.enum(['relevance', 'title', 'price', 'publishedYear', 'createdAt']),
  o: z.enum(['asc', 'desc']),
  k: z.union([z.string(), z.number()]),
  i: z.number().int(),
})

export async function listBooks(db: Db, query: ListBooksQuery) {
  const match = buildMatchExpression(query)
  const sort: SortField = query.sort ?? (query.q !== undefined ? 'relevance' : 'createdAt')
  const order = query.order ?? (sort === 'createdAt' ? 'desc' : 'asc')
  const key = sortKey(sort)

  const conditions: (SQL | undefined)[] = [
    match ? sql`${booksFts} MATCH ${match}` : undefined,
    query.language ? eq(books.language, query.language) : undefined,
    query.minPrice !== undefined ? gte(books.priceAmount, query.minPrice) : undefined,
    query.maxPrice !== undefined ? lte(books.priceAmount, query.maxPrice) : undefined,
    query.inStock === true ? gt(books.stock, 0) : undefined,
    query.inStock === false ? eq(books.stock, 0) : undefined,
  ]
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, cursorSchema)
    if (cursor.s !== sort || cursor.o !== order) throw invalidCursor()
    // Row-value comparison lets SQLite seek straight into the (key, seq) index: deep pages cost what page 1 costs.
    conditions.push(
      order === 'asc'
        ? sql`(${key}, ${books.seq}) > (${cursor.k}, ${cursor.i})`
        : sql`(${key}, ${books.seq}) < (${cursor.k}, ${cursor.i})`,
    )
  }

  const direction = order === 'asc' ? asc : desc
  const select = db.select({ book: books, rank: match ? booksFts.rank : sql<null>`NULL` }).from(books)
  const joined = match ? select.innerJoin(booksFts, eq(booksFts.rowid, books.seq)) : select
  const rows = await joined
    .where(and(...conditions))
    .orderBy(direction(key), direction(books.seq))
    .limit(query.limit + 1)

  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor({ s: sort, o: order, k: sortValue(sort, last.book, last.rank), i: last.book.seq })
      : null
  return { data: page.map((row) => toBook(row.book)), nextCursor }
}

export async function getBook(db: Db, id: string): Promise<Book> {
  const row = await db.query.books.findFirst({ where: eq(books.id, id) })
  if (!row) throw notFound(id)
  return toBook(row)
}

const notFound = (id: string) =>
  new ApiError(404, { title: 'Book not found', detail: `No book has id ${id}` })

const duplicateIsbn = (isbn: string) =>
  new ApiError(409, {
    title: 'Duplicate ISBN',
    detail: `A book with ISBN ${isbn} already exists`,
    errors: [{ pointer: '/body/isbn', detail: 'Already in the catalog' }],
  })

export async function createBook(db: Db, input: BookCreate, actorId?: string): Promise<Book> {
  const now = new Date()
  const id = randomId('bk')
  const insert = db
    .insert(books)
    .values({
      id,
      isbn: input.isbn,
      title: input.title,
      authors: input.authors,
      description: input.description,
      language: input.language,
      publishedYear: input.publishedYear,
      priceAmount: input.price.amount,
      currency: input.price.currency,
      stock: input.stock,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  try {
    const rows = (await writeAudited(
      db,
      insert,
      actorId ? { actorId, action: 'book.create', bookId: id, now } : undefined,
    )) as BookRow[]
    return toBook(rows[0]!)
  } catch (error) {
    if (isUniqueViolation(error, 'books.isbn')) throw duplicateIsbn(input.isbn)
    throw error
  }
}

export async function updateBook(db: Db, id: string, input: BookUpdate, actorId?: string): Promise<Book> {
  const { price, stockAdjustment, ...fields } = input
  const now = new Date()
  const changes = {
    ...fields,
    ...(price ? { priceAmount: price.amount, currency: price.currency } : {}),
    ...(stockAdjustment !== undefined ? { stock: sql`${books.stock} + ${stockAdjustment}` } : {}),
    updatedAt: now,
  }
  // A relative adjustment is one conditional UPDATE: it cannot lose a concurrent checkout's reservation, and it
  // refuses to take stock below zero instead of failing on the CHECK constraint.
  const guard = stockAdjustment !== undefined ? gte(sql`${books.stock} + ${stockAdjustment}`, 0) : undefined
  let row: BookRow | undefined
  try {
    const update = db
      .update(books)
      .set(changes)
      .where(and(eq(books.id, id), guard))
      .returning()
    ;[row] = (await writeAudited(
      db,
      update,
      actorId ? { actorId, action: 'book.update', bookId: id, now } : undefined,
    )) as BookRow[]
  } catch (error) {
    if (input.isbn && isUniqueViolation(error, 'books.isbn')) throw duplicateIsbn(input.isbn)
    throw error
  }
  if (row) return toBook(row)
  const exists = await db.query.books.findFirst({ columns: { stock: true }, where: eq(books.id, id) })
  if (!exists) throw notFound(id)
  throw new ApiError(409, {
    title: 'Not enough stock',
    detail: `Stock is ${exists.stock}; an adjustment of ${stockAdjustment} would take it below zero`,
    errors: [{ pointer: '/body/stockAdjustment', detail: `At least ${-exists.stock}` }],
  })
}

export async function deleteBook(db: Db, id: string, actorId?: string): Promise<void> {
  const remove = db.delete(books).where(eq(books.id, id)).returning({ id: books.id })
  const now = new Date()
  const deleted = (await writeAudited(
    db,
    remove,
    actorId ? { actorId, action: 'book.delete', bookId: id, now } : undefined,
  )) as {
    id: string
  }[]
  if (deleted.length === 0) throw notFound(id)
}

/**
 * Runs a write, with its audit entry in the same batch when an admin made it (who, what, when, before, after);
 * returns the write's own result.
 */
async function writeAudited(
  db: Db,
  write: Statement,
  audit: Parameters<typeof auditedBookWrite>[1] | undefined,
) {
  if (!audit) return (await runBatch(db, [write]))[0]
  const statements = auditedBookWrite(db, audit, write)
  return (await runBatch(db, statements))[statements.indexOf(write)]
}
