import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { seedGeneratedCatalog } from '../src/db/seed'
import { facetStatements } from '../src/features/books/books.facets'
import type { ResolvedFilters } from '../src/features/books/books.filters'
import { buildListBooksQuery } from '../src/features/books/books.service'
import { type ListBooksQuery, ListBooksQuerySchema } from '../src/features/books/books-list.schemas'
import { FACETS } from '../src/features/books/facets.schemas'
import { documentedQueries } from './helpers/list-queries'

/** What `resolveFilters` makes of `?subject=` (the path of an existing subject). */
const resolvedFor = (params: Record<string, string>): ResolvedFilters =>
  params.subject ? { subjectId: 'sb_fiction', subjectPath: '/sb_fiction/' } : {}

type PlanRow = { id: number; parent: number; detail: string }

async function queryPlan(query: ListBooksQuery, resolved: ResolvedFilters = {}): Promise<string[]> {
  const db = harness.db()
  const window = { after: undefined, take: query.limit + 1 }
  const { statement } = buildListBooksQuery(db, query, query.cursor ? undefined : window, resolved)
  return planOf(statement.getSQL())
}

async function planOf(statement: ReturnType<typeof sql>): Promise<string[]> {
  const rows = await harness.db().all<PlanRow>(sql`EXPLAIN QUERY PLAN ${statement}`)
  return rows.map((row) => row.detail)
}

/**
 * `SCAN books` with no index: a full table scan. `SCAN books USING INDEX …` walks an index in order. The same
 * for the catalog tables facets, the subject filter and each row's subjects and series read (under an alias or
 * not).
 */
const fullScan = (detail: string) =>
  /^SCAN (books|subjects|book_subjects|series|facet_subject|facet_descendant|facet_filing|filed|filed_subject|named_series)\b(?!_fts)(?!.*USING (COVERING )?INDEX)/.test(
    detail,
  )

describe('query plans of GET /v1/books', () => {
  beforeAll(async () => {
    await seedGeneratedCatalog(harness.db(), 500)
  })

  for (const [name, params] of Object.entries(documentedQueries)) {
    it(`${name} uses an index`, async () => {
      const plan = await queryPlan(ListBooksQuerySchema.parse(params), resolvedFor(params))
      expect(plan.length).toBeGreaterThan(0)
      expect(plan.filter(fullScan), plan.join('\n')).toEqual([])
    })
  }

  it('pages a language filter in index order, without sorting every book in that language', async () => {
    for (const params of [{ language: 'fr' }, documentedQueries['language filter, deep page']!]) {
      const plan = await queryPlan(ListBooksQuerySchema.parse(params))
      expect(plan.join('\n')).toContain('books_language_created_at_idx')
      expect(plan.join('\n')).not.toContain('TEMP B-TREE')
    }
  })

  it("reaches a subject's books through one range on subjects_path_idx and the book_subjects key", async () => {
    const plan = (
      await queryPlan(ListBooksQuerySchema.parse({ subject: 'x' }), resolvedFor({ subject: 'x' }))
    ).join('\n')
    expect(plan).toMatch(/SEARCH subjects USING (COVERING )?INDEX subjects_path_idx \(path>\? AND path<\?\)/)
    expect(plan).toMatch(
      /SEARCH book_subjects USING (COVERING )?INDEX sqlite_autoindex_book_subjects_1 \(subject_id=\?\)/,
    )
  })

  it("reads each listed book's subjects and series name by index, in the list query itself", async () => {
    const plan = (await queryPlan(ListBooksQuerySchema.parse({}))).join('\n')
    expect(plan).toContain('SEARCH filed USING INDEX book_subjects_book_idx (book_id=?)')
    expect(plan).toMatch(/SEARCH filed_subject USING INDEX subjects_id_unique \(id=\?\)/)
    expect(plan).toMatch(/SEARCH named_series USING INDEX series_id_unique \(id=\?\)/)
  })

  it('recognises a full scan when it sees one', async () => {
    const db = harness.db()
    const rows = await db.all<PlanRow>(sql`EXPLAIN QUERY PLAN SELECT * FROM books WHERE description = 'x'`)
    expect(rows.map((row) => row.detail).some(fullScan)).toBe(true)
  })
})

describe('query plans of the facets of GET /v1/books', () => {
  beforeAll(async () => {
    await seedGeneratedCatalog(harness.db(), 500)
  })

  for (const [name, params] of Object.entries(documentedQueries)) {
    if (params.cursor) continue // facets ignore the cursor: the same counts on every page
    it(`every facet of "${name}" reads indexes only`, async () => {
      const query = ListBooksQuerySchema.parse({ ...params, facets: FACETS.join(',') })
      const { statements } = facetStatements(harness.db(), query, resolvedFor(params), [...FACETS])
      const searched = params.q !== undefined || params.author !== undefined
      // A search: one statement runs it once for every facet; otherwise one statement per facet.
      expect(statements).toHaveLength(searched ? 1 : FACETS.length)
      for (const statement of statements) {
        const plan = await planOf(statement.getSQL())
        expect(plan.length).toBeGreaterThan(0)
        expect(plan.filter(fullScan), plan.join('\n')).toEqual([])
        if (searched) {
          expect(plan.filter((line) => line === 'MATERIALIZE matched')).toHaveLength(1)
          expect(plan.filter((line) => line.includes('books_fts VIRTUAL TABLE INDEX'))).toHaveLength(1)
        }
      }
    })
  }

  it('counts subjects from one path range and the book_subjects key, or from the matching books', async () => {
    const unfiltered = ListBooksQuerySchema.parse({ facets: 'subject' })
    const [subject] = facetStatements(harness.db(), unfiltered, {}, ['subject']).statements
    const plan = (await planOf(subject!.getSQL())).join('\n')
    expect(plan).toContain('SEARCH facet_subject USING INDEX subjects_parent_idx (parent_id=?)')
    expect(plan).toMatch(
      /SEARCH facet_descendant USING (COVERING )?INDEX subjects_path_idx \(path>\? AND path<\?\)/,
    )
    expect(plan).toContain(
      'SEARCH facet_filing USING COVERING INDEX sqlite_autoindex_book_subjects_1 (subject_id=?)',
    )
    const searched = ListBooksQuerySchema.parse({ q: 'river', facets: 'subject' })
    const [fromSearch] = facetStatements(harness.db(), searched, {}, ['subject']).statements
    const searchPlan = await planOf(fromSearch!.getSQL())
    // The matching books come from FTS5, then their filings from book_subjects_book_idx.
    expect(searchPlan[searchPlan.indexOf('MATERIALIZE matched') + 1]).toMatch(
      /^SCAN books_fts VIRTUAL TABLE INDEX/,
    )
    expect(searchPlan.join('\n')).toContain('book_subjects_book_idx (book_id=?)')
  })
})
