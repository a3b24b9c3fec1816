import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { seedGeneratedCatalog } from '../src/db/seed'
import { type ListBooksQuery, ListBooksQuerySchema } from '../src/features/books/books.schemas'
import { buildListBooksQuery } from '../src/features/books/books.service'
import { encodeCursor } from '../src/http/pagination'

/**
 * Every documented list, filter, search and sort of `GET /v1/books` (see the OpenAPI description of its query),
 * with and without a cursor. Each must reach books through an index: a plain `SCAN books` reads the whole table,
 * which is what makes a deep page or a filter slow on 100,000 books.
 */
const cursor = (s: string, o: 'asc' | 'desc', k: string | number) => encodeCursor({ s, o, k, i: 500 })

const documentedQueries: Record<string, Record<string, string>> = {
  'page 1 (newest first)': {},
  'deep page (newest first)': { cursor: cursor('createdAt', 'desc', Date.UTC(2025, 0, 1)) },
  'sort=title': { sort: 'title' },
  'sort=title, deep page': { sort: 'title', cursor: cursor('title', 'asc', 'The Quiet') },
  'sort=title&order=desc': { sort: 'title', order: 'desc' },
  'sort=price': { sort: 'price' },
  'sort=price, deep page': { sort: 'price', cursor: cursor('price', 'asc', 1999) },
  'sort=price&order=desc': { sort: 'price', order: 'desc' },
  'sort=publishedYear': { sort: 'publishedYear' },
  'sort=publishedYear&order=desc, deep page': {
    sort: 'publishedYear',
    order: 'desc',
    cursor: cursor('publishedYear', 'desc', 1990),
  },
  'sort=createdAt&order=asc': { sort: 'createdAt', order: 'asc' },
  'search q': { q: 'silent river' },
  'search q, deep page': { q: 'silent', cursor: cursor('relevance', 'asc', -1.5) },
  'search q&sort=price': { q: 'garden', sort: 'price' },
  'author filter': { author: 'Tekup' },
  'author + q': { author: 'Okafor', q: 'winter' },
  'language filter': { language: 'fr' },
  'language filter, deep page': { language: 'fr', cursor: cursor('createdAt', 'desc', Date.UTC(2025, 0, 1)) },
  'language + sort=title': { language: 'de', sort: 'title' },
  'price range': { minPrice: '1000', maxPrice: '2000' },
  'price range&sort=price': { minPrice: '1000', maxPrice: '2000', sort: 'price' },
  'minPrice only': { minPrice: '3000' },
  'inStock=true': { inStock: 'true' },
  'inStock=false': { inStock: 'false' },
  'inStock=true&sort=price': { inStock: 'true', sort: 'price' },
  'all filters + search': {
    q: 'lantern',
    language: 'en',
    minPrice: '500',
    maxPrice: '5000',
    inStock: 'true',
  },
}

type PlanRow = { id: number; parent: number; detail: string }

async function queryPlan(query: ListBooksQuery): Promise<string[]> {
  const db = harness.db()
  const { statement } = buildListBooksQuery(db, query)
  const rows = await db.all<PlanRow>(sql`EXPLAIN QUERY PLAN ${statement.getSQL()}`)
  return rows.map((row) => row.detail)
}

/** `SCAN books` with no index: a full table scan. `SCAN books USING INDEX …` walks an index in order. */
const fullScan = (detail: string) => /^SCAN books\b(?!_fts)(?!.*USING (COVERING )?INDEX)/.test(detail)

describe('query plans of GET /v1/books', () => {
  beforeAll(async () => {
    await seedGeneratedCatalog(harness.db(), 500)
  })

  for (const [name, params] of Object.entries(documentedQueries)) {
    it(`${name} uses an index`, async () => {
      const plan = await queryPlan(ListBooksQuerySchema.parse(params))
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

  it('recognises a full scan when it sees one', async () => {
    const db = harness.db()
    const rows = await db.all<PlanRow>(sql`EXPLAIN QUERY PLAN SELECT * FROM books WHERE description = 'x'`)
    expect(rows.map((row) => row.detail).some(fullScan)).toBe(true)
  })
})
