import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../../db/client'
import { type Bind, Bindings, compiledOnce, literal } from '../../db/compiled'
import { booksFts } from '../../db/fts'
import { type BookRow, books } from '../../db/schema'
import { invalidCursor, type Keyset, readCursor, toPage } from '../../http/pagination'
import { ApiError } from '../../http/problem'
import { facetStatements } from './books.facets'
import { filterConditions, type ResolvedFilters, resolveFilters } from './books.filters'
import { bookDetailById, type ListExtras, listExtras, toBook, type ViewOptions } from './books.views'
import type { ListBooksQuery } from './books-list.schemas'
import { buildMatchExpression } from './search-query'

export { createBook, deleteBook, updateBook } from './books.writes'

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
  bind: Bind,
) {
  if (!cursor) return undefined
  if (cursor.s !== sort || cursor.o !== order) throw invalidCursor()
  const after = sql`(${bind('afterKey', cursor.k)}, ${bind('afterSeq', cursor.i)})`
  // Deep pages cost what page 1 costs.
  return order === 'asc' ? sql`(${key}, ${seq}) > ${after}` : sql`(${key}, ${seq}) < ${after}`
}

/**
 * The list query for `GET /v1/books`, unexecuted: `listBooks` runs it (compiled once per shape, with `bind` a
 * `Bindings`), and test/query-plans.test.ts runs `EXPLAIN QUERY PLAN` on its SQL (values `literal`) to prove
 * every documented list, filter, search and sort uses an index.
 */
export function buildListBooksQuery(
  db: Db,
  query: ListBooksQuery,
  window: PageWindow = { after: readCursor(query.cursor, { schema: cursorSchema }), take: query.limit + 1 },
  resolved: ResolvedFilters = {},
  bind: Bind = literal,
) {
  const match = buildMatchExpression(query)
  const { sort, order } = sortOf(query)
  const direction = order === 'asc' ? asc : desc
  const filters = filterConditions(db, query, resolved, bind)
  if (match && sort === 'relevance' && filters.length === 0) {
    return { statement: rankedSearch(db, window, bind('match', match), order, bind), sort, order }
  }
  const key = sortKey(sort)
  const conditions: (SQL | undefined)[] = [
    match ? sql`${booksFts} MATCH ${bind('match', match)}` : undefined,
    ...filters,
    afterCursor(window.after, sort, order, key, sql`${books.seq}`, bind),
  ]
  const select = db
    .select({ book: books, rank: match ? booksFts.rank : sql<number | null>`NULL`, ...listExtras() })
    .from(books)
  const joined = match ? select.innerJoin(booksFts, eq(booksFts.rowid, books.seq)) : select
  const statement = joined
    .where(and(...conditions))
    .orderBy(direction(key), direction(books.seq))
    .limit(bind('take', window.take))
  return { statement, sort, order }
}

/**
 * A plain keyword search by relevance: FTS5 ranks and cuts one page on its own, and only that page's books are
 * read. Joining first would fetch the row of every match before sorting (twice the time on a broad search).
 */
function rankedSearch(db: Db, window: PageWindow, match: unknown, order: 'asc' | 'desc', bind: Bind) {
  const direction = order === 'asc' ? asc : desc
  const rank = sql`${booksFts.rank}`
  const ranked = db
    .select({ seq: booksFts.rowid, rank: booksFts.rank })
    .from(booksFts)
    .where(
      and(
        sql`${booksFts} MATCH ${match}`,
        afterCursor(window.after, 'relevance', order, rank, sql`${booksFts.rowid}`, bind),
      ),
    )
    .orderBy(direction(booksFts.rank), direction(booksFts.rowid))
    .limit(bind('take', window.take))
    .as('ranked')
  return db
    .select({ book: books, rank: sql<number | null>`${ranked.rank}`, ...listExtras() })
    .from(ranked)
    .innerJoin(books, eq(books.seq, ranked.seq))
    .orderBy(direction(ranked.rank), direction(ranked.seq))
}

/**
 * `GET /v1/books`: the page and, with `facets`, every facet count in one batch (one round trip on D1), after the
 * subject lookup when `subject` is given. The page reads one row more than `limit` (see `toPage`).
 */
export async function listBooks(db: Db, query: ListBooksQuery, view: ViewOptions) {
  const { sort, order } = sortOf(query)
  const resolved = await resolveFilters(db, query)
  const keyset: Keyset<BookCursor, { book: BookRow; rank: number | null } & ListExtras> = {
    schema: cursorSchema,
    keyOf: (row) => ({ s: sort, o: order, k: sortValue(sort, row.book, row.rank), i: row.book.seq }),
  }
  const window = { after: readCursor(query.cursor, keyset), take: query.limit + 1 }
  // The SQL of each statement is built once per isolate for its shape (src/db/compiled.ts): which filters are
  // given binds their values; the sort, the order, `inStock` and the facets asked for are the rest of it.
  const pageBindings = new Bindings(`${sort} ${order} ${query.inStock ?? ''}`)
  const { statement } = buildListBooksQuery(db, query, window, resolved, pageBindings.bind)
  const facets = query.facets
    ? facetStatements(db, query, resolved, query.facets, { compiled: true })
    : undefined
  // Without facets the page is a plain query: a batch of one would only add its transaction.
  const page = compiledOnce(statement, pageBindings, 'books.list')
  const [fetched, ...facetResults] = facets ? await db.batch([page, ...facets.statements]) : [await page]
  const { rows, nextCursor } = toPage(keyset, query.limit, fetched)
  const data = rows.map((row) => toBook(row.book, row, view))
  return facets ? { data, facets: facets.read(facetResults), nextCursor } : { data, nextCursor }
}

export async function getBook(db: Db, id: string, view: ViewOptions) {
  const detail = await bookDetailById(db, id, view)
  if (!detail) throw new ApiError(404, { title: 'Book not found', detail: `No book has id ${id}` })
  return detail
}
