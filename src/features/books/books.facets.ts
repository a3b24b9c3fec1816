import { and, count, countDistinct, desc, eq, gt, isNull, lt, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { type Bind, Bindings, compiledOnce, literal } from '../../db/compiled'
import { booksFts } from '../../db/fts'
import { bookSubjects, books, subjects } from '../../db/schema'
import { subtreeRange } from '../subjects'
import { filterConditions, type ResolvedFilters } from './books.filters'
import type { ListBooksQuery } from './books-list.schemas'
import { type FacetName, type Facets, PRICE_BANDS } from './facets.schemas'
import { type FacetRow, facetEntries, matchedFacetsStatement, readMatchedFacets } from './matched-facets'
import { buildMatchExpression } from './search-query'

/** The books a facet counts: those matching the request's search and filters (the cursor and sort aside). */
function matching(db: Db, query: ListBooksQuery, resolved: ResolvedFilters, bind: Bind) {
  const match = buildMatchExpression(query)
  const conditions = [
    ...(match ? [sql`${booksFts} MATCH ${bind('match', match)}`] : []),
    ...filterConditions(db, query, resolved, bind),
  ]
  return { match, where: conditions.length ? and(...conditions) : undefined }
}

/**
 * The unexecuted facet queries of a list request without a search, by facet: `facetStatements` runs them, and
 * test/query-plans.test.ts runs `EXPLAIN QUERY PLAN` on each to prove it reads indexes, not the books table.
 * (With `q`, `facetStatements` counts in one statement instead: matched-facets.ts.)
 */
export function buildFacetQueries(
  db: Db,
  query: ListBooksQuery,
  resolved: ResolvedFilters,
  names: FacetName[],
  bind: Bind = literal,
) {
  const { where } = matching(db, query, resolved, bind)
  const fromBooks = <T extends Parameters<typeof db.select>[0]>(fields: NonNullable<T>) => {
    const select = db.select(fields).from(books)
    return select.where(where)
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
      queries.subject = subjectFacet(db, where, resolved, bind)
    }
  }
  return queries
}

/**
 * Counts per child of the filtered subject (or per top-level subject): the distinct books filed under the child
 * or one of its descendants. Every filing below the parent is read once: the subjects below it are one range
 * on subjects_path_idx, their filings the book_subjects primary key, and the child each belongs to is the next
 * segment of its path. With filters, the matching books come first (their filter's index) and their filings
 * come from book_subjects_book_idx. CROSS JOIN fixes that order (SQLite keeps it as written),
 * so the planner never starts from a scan of book_subjects.
 */
function subjectFacet(db: Db, where: SQL | undefined, resolved: ResolvedFilters, bind: Bind) {
  const below = subtreeRange(resolved.subjectPath ?? '/')
  const prefix = (resolved.subjectPath ?? '/').length
  const rest = sql`substr(${subjects.path}, ${bind('childStart', prefix + 1)})`
  const childId = sql<string>`substr(${rest}, 1, instr(${rest}, '/') - 1)`.as('child_id')
  const fields = { childId, count: countDistinct(bookSubjects.bookId).as('count') }
  const links = and(
    eq(subjects.id, bookSubjects.subjectId),
    gt(subjects.path, bind('belowFrom', below.from)),
    lt(subjects.path, bind('belowTo', below.to)),
  )
  if (!where) return unfilteredSubjectFacet(db, resolved, bind)
  const counted = db
    .select(fields)
    .from(books)
    .crossJoin(bookSubjects)
    .crossJoin(subjects)
    .where(and(where, eq(bookSubjects.bookId, books.id), links))
  const totals = counted.groupBy(sql`child_id`).as('totals')
  const child = alias(subjects, 'facet_subject')
  return db
    .select({ value: child.id, name: child.name, slug: child.slug, count: sql<number>`${totals.count}` })
    .from(totals)
    .innerJoin(child, eq(child.id, totals.childId))
    .orderBy(desc(totals.count), child.name)
}

/**
 * Without a search or filters, each child counts its subtree's filings in a correlated subquery (a range on
 * subjects_path_idx, then the book_subjects key): no GROUP BY over every filing, about twice as fast on a
 * catalogue of 20,000 books. Children without books count 0 and are dropped by `readFacetCounts`.
 */
function unfilteredSubjectFacet(db: Db, resolved: ResolvedFilters, bind: Bind) {
  const child = alias(subjects, 'facet_subject')
  // Written out with the alias names: the subquery's columns must not bind to the outer table's.
  const count = sql<number>`(select count(distinct facet_filing.book_id) from subjects facet_descendant cross join book_subjects facet_filing where facet_filing.subject_id = facet_descendant.id and facet_descendant.path >= facet_subject.path and facet_descendant.path < substr(facet_subject.path, 1, length(facet_subject.path) - 1) || '0')`
  return db
    .select({ value: child.id, name: child.name, slug: child.slug, count: count.as('count') })
    .from(child)
    .where(
      resolved.subjectId ? eq(child.parentId, bind('parentId', resolved.subjectId)) : isNull(child.parentId),
    )
    .orderBy(desc(sql`count`), child.name)
}

/**
 * A list request's facet statements and how to read their results (`listBooks` runs them in the page's batch, so
 * a faceted page is one round trip on D1). With a search, one statement runs the search once and counts every facet
 * over its matches (matched-facets.ts): one statement per facet would repeat the FTS5 match and read every matching
 * book's row again for each. Without, each facet is its own statement over the filter's or the column's index.
 * `compiled`: each statement's SQL is built once per isolate for its shape (src/db/compiled.ts); without, the
 * statements hold their values (test/query-plans.test.ts explains them).
 */
export function facetStatements(
  db: Db,
  query: ListBooksQuery,
  resolved: ResolvedFilters,
  names: FacetName[],
  { compiled = false } = {},
) {
  // One set of values for the request's facet statements: each statement's key names it, its shape and them all.
  const bindings = compiled ? new Bindings(`${query.inStock ?? ''} ${names.join(',')}`) : undefined
  const bind = bindings?.bind ?? literal
  const reuse = <T extends object>(name: string, statement: T) =>
    bindings ? compiledOnce(statement, bindings, `books.facets.${name}`) : statement
  const { match, where } = matching(db, query, resolved, bind)
  if (match && where) {
    const statement = matchedFacetsStatement(db, where, resolved, names, bind)
    return {
      statements: [reuse('matched', statement)],
      read: ([rows]: unknown[]) => readMatchedFacets(names, rows as FacetRow[]),
    }
  }
  const queries = buildFacetQueries(db, query, resolved, names, bind)
  const entries = Object.entries(queries) as [FacetName, NonNullable<(typeof queries)[FacetName]>][]
  const ordered = entries.map(([name]) => name)
  return {
    statements: entries.map(([name, statement]) => reuse(name, statement)),
    read: (results: unknown[]) => readFacetCounts(ordered, results),
  }
}

/**
 * The facet counts from the results of `facetStatements` (run in the page's own batch by `listBooks`, so a faceted
 * page is one round trip on D1), one result per name in the same order.
 */
function readFacetCounts(names: FacetName[], results: unknown[]): Facets {
  const facets: Facets = {}
  names.forEach((name, index) => {
    const rows = results[index] as Record<string, unknown>[]
    if (name === 'price') {
      const row = rows[0] ?? {}
      facets.price = facetEntries.price((band) => Number(row[`band${band}`] ?? 0))
    } else if (name === 'subject') {
      facets.subject = rows.filter((row) => Number(row.count) > 0).map(facetEntries.subject)
    } else {
      facets[name] = rows.map(facetEntries.value)
    }
  })
  return facets
}
