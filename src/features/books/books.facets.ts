import { and, count, countDistinct, desc, eq, gte, isNull, lt, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { booksFts } from '../../db/fts'
import { bookSubjects, books, subjects } from '../../db/schema'
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
      const bands = Object.fromEntries(
        PRICE_BANDS.map((band, index) => [
          `band${index}`,
          sql<number>`coalesce(sum(${books.priceAmount} >= ${band.min}${band.max === null ? sql`` : sql` and ${books.priceAmount} < ${band.max}`}), 0)`,
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
 * Counts per child of the filtered subject (or per top-level subject): for each, the distinct books filed under
 * it or a descendant. Children come from subjects_parent_idx; each child's subtree is a range seek on
 * subjects_path_idx bounded by the child's own path; filings come from the book_subjects primary key.
 */
function subjectFacet(db: Db, match: string | null, where: SQL | undefined, resolved: ResolvedFilters) {
  const child = alias(subjects, 'facet_subject')
  const descendant = alias(subjects, 'facet_descendant')
  const upper = sql`substr(${child.path}, 1, length(${child.path}) - 1) || '0'`
  const base = db
    .select({
      value: child.id,
      name: child.name,
      slug: child.slug,
      count: countDistinct(bookSubjects.bookId),
    })
    .from(child)
    .innerJoin(descendant, and(gte(descendant.path, child.path), lt(descendant.path, upper)))
    .innerJoin(bookSubjects, eq(bookSubjects.subjectId, descendant.id))
  const filtered = where
    ? match
      ? base
          .innerJoin(books, eq(books.id, bookSubjects.bookId))
          .innerJoin(booksFts, eq(booksFts.rowid, books.seq))
      : base.innerJoin(books, eq(books.id, bookSubjects.bookId))
    : base
  const parent = resolved.subjectId ? eq(child.parentId, resolved.subjectId) : isNull(child.parentId)
  return filtered
    .where(and(parent, where))
    .groupBy(child.id)
    .orderBy(desc(countDistinct(bookSubjects.bookId)), child.name)
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
