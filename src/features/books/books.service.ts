import { and, asc, desc, eq, gt, gte, lte, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { booksFts } from '../../db/fts'
import { type BookRow, books } from '../../db/schema'
import { invalidCursor, type Keyset, keysetPage, readCursor } from '../../http/pagination'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { bookChangeStatements, bookDeletedStatements } from '../live'
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

type BookCursor = z.output<typeof cursorSchema>
/** Where a page starts (the decoded cursor, none on page 1) and how many rows to read. */
type PageWindow = { after: BookCursor | undefined; take: number }

/** The sort and order of a list request, defaults applied. */
function sortOf(query: ListBooksQuery): { sort: SortField; order: 'asc' | 'desc' } {
  const sort: SortField = query.sort ?? (query.q !== undefined ? 'relevance' : 'createdAt')
  return { sort, order: query.order ?? (sort === 'createdAt' ? 'desc' : 'asc') }
}

/** Keyset condition after the cursor's row; row values let SQLite seek into the (key, seq) index. */
function afterCursor(
  cursor: BookCursor | undefined,
  sort: SortField,
  order: 'asc' | 'desc',
  key: SQL,
  seq: SQL,
) {
  if (!cursor) return undefined
  if (cursor.s !== sort || cursor.o !== order) throw invalidCursor()
  // Deep pages cost what page 1 costs.
  return order === 'asc'
    ? sql`(${key}, ${seq}) > (${cursor.k}, ${cursor.i})`
    : sql`(${key}, ${seq}) < (${cursor.k}, ${cursor.i})`
}

/**
 * The list query for `GET /v1/books`, unexecuted: `listBooks` runs it, and test/query-plans.test.ts runs
 * `EXPLAIN QUERY PLAN` on its SQL to prove every documented list, filter, search and sort uses an index.
 */
export function buildListBooksQuery(
  db: Db,
  query: ListBooksQuery,
  window: PageWindow = { after: readCursor(query.cursor, { schema: cursorSchema }), take: query.limit + 1 },
) {
  const match = buildMatchExpression(query)
  const { sort, order } = sortOf(query)
  const direction = order === 'asc' ? asc : desc
  const filtered =
    query.language !== undefined ||
    query.minPrice !== undefined ||
    query.maxPrice !== undefined ||
    query.inStock !== undefined
  if (match && sort === 'relevance' && !filtered) {
    return { statement: rankedSearch(db, window, match, order), sort, order }
  }
  const key = sortKey(sort)
  const conditions: (SQL | undefined)[] = [
    match ? sql`${booksFts} MATCH ${match}` : undefined,
    query.language ? eq(books.language, query.language) : undefined,
    query.minPrice !== undefined ? gte(books.priceAmount, query.minPrice) : undefined,
    query.maxPrice !== undefined ? lte(books.priceAmount, query.maxPrice) : undefined,
    query.inStock === true ? gt(books.stock, 0) : undefined,
    query.inStock === false ? eq(books.stock, 0) : undefined,
    afterCursor(window.after, sort, order, key, sql`${books.seq}`),
  ]
  const select = db
    .select({ book: books, rank: match ? booksFts.rank : sql<number | null>`NULL` })
    .from(books)
  const joined = match ? select.innerJoin(booksFts, eq(booksFts.rowid, books.seq)) : select
  const statement = joined
    .where(and(...conditions))
    .orderBy(direction(key), direction(books.seq))
    .limit(window.take)
  return { statement, sort, order }
}

/**
 * A plain keyword search by relevance: FTS5 ranks and cuts one page on its own, and only that page's books are
 * read. Joining first would fetch the row of every match before sorting (twice the time on a broad search).
 */
function rankedSearch(db: Db, window: PageWindow, match: string, order: 'asc' | 'desc') {
  const direction = order === 'asc' ? asc : desc
  const rank = sql`${booksFts.rank}`
  const ranked = db
    .select({ seq: booksFts.rowid, rank: booksFts.rank })
    .from(booksFts)
    .where(
      and(
        sql`${booksFts} MATCH ${match}`,
        afterCursor(window.after, 'relevance', order, rank, sql`${booksFts.rowid}`),
      ),
    )
    .orderBy(direction(booksFts.rank), direction(booksFts.rowid))
    .limit(window.take)
    .as('ranked')
  return db
    .select({ book: books, rank: sql<number | null>`${ranked.rank}` })
    .from(ranked)
    .innerJoin(books, eq(books.seq, ranked.seq))
    .orderBy(direction(ranked.rank), direction(ranked.seq))
}

export async function listBooks(db: Db, query: ListBooksQuery) {
  const { sort, order } = sortOf(query)
  const keyset: Keyset<BookCursor, { book: BookRow; rank: number | null }> = {
    schema: cursorSchema,
    keyOf: (row) => ({ s: sort, o: order, k: sortValue(sort, row.book, row.rank), i: row.book.seq }),
  }
  const { rows, nextCursor } = await keysetPage(
    keyset,
    query,
    async (after, take) => await buildListBooksQuery(db, query, { after, take }).statement,
  )
  return { data: rows.map((row) => toBook(row.book)), nextCursor }
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
    // Live: availability or price changes reach the book's channel, low stock the back office (features/live);
    // read before the UPDATE, with its guard, so they exist only if it applies.
    const live =
      price || stockAdjustment !== undefined || fields.stock !== undefined
        ? bookChangeStatements(
            db,
            {
              bookId: id,
              stockBefore: sql`${books.stock}`,
              stockAfter:
                stockAdjustment !== undefined
                  ? sql`(${books.stock} + ${stockAdjustment})`
                  : fields.stock !== undefined
                    ? sql`${fields.stock}`
                    : sql`${books.stock}`,
              priceAfter: price ? sql`${price.amount}` : undefined,
              currencyAfter: price ? sql`${price.currency}` : undefined,
              when: guard,
            },
            now,
          )
        : []
    ;[row] = (await writeAudited(
      db,
      update,
      actorId ? { actorId, action: 'book.update', bookId: id, now } : undefined,
      live,
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
    bookDeletedStatements(db, id, now),
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
  before: Statement[] = [],
) {
  const statements = [...before, ...(audit ? auditedBookWrite(db, audit, write) : [write])]
  return (await runBatch(db, statements))[statements.indexOf(write)]
}
