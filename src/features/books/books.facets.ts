import { and, count, countDistinct, desc, eq, gt, lt, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { booksFts } from '../../db/fts'
import { bookSubjects, books, subjects } from '../../db/schema'
import { subtreeRange } from '../subjects'
import { filterConditions, type ResolvedFilters } from './books.filters'
import type { ListBooksQuery } from './books.schemas'
import { type FacetName, type Facets, PRICE_BANDS } from './facets.schemas'
import { buildMatchExpression } from './search-query'

/** The books a facet counts: those matching the request's search and filters (the cursor and sort aside). */
function matching(db: Db, query: ListBooksQuery, resolved: ResolvedFilters) {
  const match = buildMatchExpression(query)
  const conditions = [
    ...(match ? [sql`${booksFts} MATCH ${match}`] : []),
    ...filterConditions(db, query, resolved),
  ]
  return { match, where: conditions.length ? and(...conditions) : undefined }
}

/**
 * The unexecuted facet queries of a list request, by facet: `facetCounts` runs them in one batch, and
 * test/query-plans.test.ts runs `EXPLAIN QUERY PLAN` on each to prove it reads indexes, not the books table.
 * With `q`, each starts from the FTS5 index and looks books up by rowid.
 */
export function buildFacetQueries(
  db: Db,
  query: ListBooksQuery,
  resolved: ResolvedFilters,
  names: FacetName[],
) {
  const { match, where } = matching(db, query, resolved)
  const fromBooks = <T extends Parameters<typeof db.select>[0]>(fields: NonNullable<T>) => {
    const select = db.select(fields).from(books)
    return (match ? select.innerJoin(booksFts, eq(booksFts.rowid, books.seq)) : select).where(where)
  }
  const queries: Partial<Record<FacetName, ReturnType<typeof fromBooks> | ReturnType<typeof subjectFacet>>> =
    {}
  for (const name of names) {
    if (name === 'language') {
      queries.language = fromBooks({ value: books.language, count: count() })
        .groupBy(books.language)
        .orderBy(desc(count()), books.language)
    } else if (name === 'format') {
      queries.format = fromBooks({ value: books.format, count: count() })
        .groupBy(books.format)
        .orderBy(desc(count()), books.format)
    } else if (name === 'price') {
      // Each band aliased: D1 keys result columns by name, and unaliased bands would share one name.
      const bands = Object.fromEntries(
        PRICE_BANDS.map((band, index) => [
          `band${index}`,
          sql<number>`coalesce(sum(${books.priceAmount} >= ${band.min}${band.max === null ? sql`` : sql` and ${books.priceAmount} < ${band.max}`}), 0)`.as(
            `band${index}`,
          ),
        ]),
      )
      queries.price = fromBooks(bands)
    } else {
      queries.subject = subjectFacet(db, match, where, resolved)
    }
  }
  return queries
}

/**
 * Counts per child of the filtered subject (or per top-level subject): the distinct books filed under the child
 * or one of its descendants. Every filing below the parent is read once: the subjects below it are one range
 * on subjects_path_idx, their filings the book_subjects primary key, and the child each belongs to is the next
 * segment of its path. With a search or filters, the matching books come first (FTS5, or their filter's index)
 * and their filings come from book_subjects_book_idx. CROSS JOIN fixes that order (SQLite keeps it as written),
 * so the planner never starts from a scan of book_subjects.
 */
function subjectFacet(db: Db, match: string | null, where: SQL | undefined, resolved: ResolvedFilters) {
  const below = subtreeRange(resolved.subjectPath ?? '/')
  const prefix = (resolved.subjectPath ?? '/').length
  const rest = sql`substr(${subjects.path}, ${prefix + 1})`
  const childId = sql<string>`substr(${rest}, 1, instr(${rest}, '/') - 1)`.as('child_id')
  const fields = { childId, count: countDistinct(bookSubjects.bookId).as('count') }
  const links = and(
    eq(subjects.id, bookSubjects.subjectId),
    gt(subjects.path, below.from),
    lt(subjects.path, below.to),
  )
  const counted = !where
    ? db.select(fields).from(subjects).crossJoin(bookSubjects).where(links)
    : (match
        ? db.select(fields).from(booksFts).crossJoin(books).$dynamic()
        : db.select(fields).from(books).$dynamic()
      )
        .crossJoin(bookSubjects)
        .crossJoin(subjects)
        .where(
          and(
            match ? eq(books.seq, booksFts.rowid) : undefined,
            where,
            eq(bookSubjects.bookId, books.id),
            links,
          ),
        )
  const totals = counted.groupBy(sql`child_id`).as('totals')
  const child = alias(subjects, 'facet_subject')
  return db
    .select({ value: child.id, name: child.name, slug: child.slug, count: sql<number>`${totals.count}` })
    .from(totals)
    .innerJoin(child, eq(child.id, totals.childId))
    .orderBy(desc(totals.count), child.name)
}

/** The facet counts of a list request, every facet query in one batch (one round trip on D1). */
export async function facetCounts(
  db: Db,
  query: ListBooksQuery,
  resolved: ResolvedFilters,
  names: FacetName[],
): Promise<Facets> {
  const queries = buildFacetQueries(db, query, resolved, names)
  const entries = Object.entries(queries) as [FacetName, (typeof queries)[FacetName]][]
  const [first, ...rest] = entries.map(([, statement]) => statement!)
  if (!first) return {}
  const results = (await db.batch([first, ...rest])) as unknown[][]
  const facets: Facets = {}
  entries.forEach(([name], index) => {
    const rows = results[index] as Record<string, unknown>[]
    if (name === 'price') {
      const row = rows[0] ?? {}
      facets.price = PRICE_BANDS.map((band, i) => ({
        value: band.value,
        min: band.min,
        max: band.max,
        count: Number(row[`band${i}`] ?? 0),
      }))
    } else if (name === 'subject') {
      facets.subject = rows.map((row) => ({
        value: String(row.value),
        name: String(row.name),
        slug: String(row.slug),
        count: Number(row.count),
      }))
    } else {
      facets[name] = rows.map((row) => ({
        value: row.value === null ? 'unknown' : String(row.value),
        count: Number(row.count),
      }))
    }
  })
  return facets
}
