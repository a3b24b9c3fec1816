import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { Bindings, compiledOnce, compiledStatements, literal } from '../src/db/compiled'
import { books } from '../src/db/schema'
import { seedGeneratedCatalog } from '../src/db/seed'
import { FACETS } from '../src/features/books/facets.schemas'
import { api, json } from './helpers/http'
import { documentedQueries } from './helpers/list-queries'

/**
 * The same shape with other values: a second request of each documented query reuses the SQL the first compiled
 * (test/setup.*.ts turns on `compiledStatements.verify`, so a reuse whose SQL differs from a fresh build fails
 * the request with a 500).
 */
const otherValues: Record<string, string> = {
  q: 'garden',
  author: 'Tekup',
  language: 'de',
  minPrice: '700',
  maxPrice: '4500',
  format: 'hardcover',
  publisher: 'Vintage',
  subject: 'science',
}

const withOtherValues = (params: Record<string, string>) =>
  Object.fromEntries(Object.entries(params).map(([name, value]) => [name, otherValues[name] ?? value]))

const noStore = { headers: { 'Cache-Control': 'no-store' } }

/** The ids of a list answer, and its facets, as the API gives them. */
async function listed(params: Record<string, string>) {
  const response = await api('GET', `/v1/books?${new URLSearchParams(params)}`, noStore)
  expect(response.status, await response.clone().text()).toBe(200)
  const body = await json(response)
  return { ids: body.data.map((book: { id: string }) => book.id), facets: body.facets, next: body.nextCursor }
}

describe('statements compiled once per isolate (src/db/compiled.ts)', () => {
  beforeAll(async () => {
    await seedGeneratedCatalog(harness.db(), 300)
  })

  for (const [name, params] of Object.entries(documentedQueries)) {
    it(`"${name}", with and without facets, answers the same when its shape is reused with other values`, async () => {
      for (const query of [params, { ...params, facets: FACETS.join(',') }]) {
        const first = await listed(query)
        const other = await listed(withOtherValues(query))
        const builds = compiledStatements.builds
        // Asked again: the same answer from the compiled SQL, and nothing compiled anew.
        expect(await listed(query)).toEqual(first)
        expect(await listed(withOtherValues(query))).toEqual(other)
        expect(compiledStatements.builds).toBe(builds)
      }
    })
  }

  it('binds the values of a request, not the first request of its shape', async () => {
    const french = await listed({ language: 'fr', limit: '100' })
    const german = await listed({ language: 'de', limit: '100' })
    expect(french.ids.length).toBeGreaterThan(0)
    expect(german.ids.length).toBeGreaterThan(0)
    expect(french.ids.filter((id: string) => german.ids.includes(id))).toEqual([])
    const rows = await harness.db().select({ id: books.id }).from(books).where(sql`${books.language} = 'de'`)
    expect(german.ids.every((id: string) => rows.some((row) => row.id === id))).toBe(true)
  })

  it('keys a shape by the values it binds: a filter given or not is another statement', () => {
    const given = new Bindings('shape')
    given.bind('language', 'fr')
    const absent = new Bindings('shape')
    expect(given.key).not.toBe(absent.key)
    expect(given.values).toEqual({ language: 'fr' })
    // The same name may appear twice in one statement with one value, never with two.
    expect(() => given.bind('language', 'fr')).not.toThrow()
    expect(() => given.bind('language', 'de')).toThrow(/two values/)
    expect(literal('language', 'fr')).toBe('fr')
  })

  it('keeps the shapes in use when a flood of one-off shapes passes the bound (least recently used goes)', async () => {
    const db = harness.db()
    const run = (shape: string) => {
      const bindings = new Bindings(shape)
      const statement = db
        .select({ id: books.id })
        .from(books)
        .where(sql`${books.isbn} = ${bindings.bind('isbn', shape)}`)
      return compiledOnce(statement, bindings, 'lru test')
    }
    await run('hot')
    const builds = compiledStatements.builds
    for (let index = 0; index < 600; index++) {
      await run(`one-off ${index}`)
      await run('hot')
    }
    // 600 one-off shapes built, the hot one never again.
    expect(compiledStatements.builds - builds).toBe(600)
    expect(compiledStatements.size()).toBeLessThanOrEqual(512)
  })

  it('keeps a bounded number of shapes, whatever the mix of parameters', async () => {
    const db = harness.db()
    for (let index = 0; index < 600; index++) {
      const bindings = new Bindings(`test shape ${index}`)
      const statement = db
        .select({ id: books.id })
        .from(books)
        .where(sql`${books.id} = ${bindings.bind('id', `bk_${index}`)}`)
      expect(await compiledOnce(statement, bindings, 'test')).toEqual([])
    }
    expect(compiledStatements.size()).toBeLessThanOrEqual(512)
  })

  it('reports a reused statement whose SQL differs from a fresh build (the check the test setup turns on)', async () => {
    const db = harness.db()
    const run = (column: typeof books.id | typeof books.title) => {
      const bindings = new Bindings('one key for two statements')
      const statement = db
        .select({ id: books.id })
        .from(books)
        .where(sql`${column} = ${bindings.bind('value', 'x')}`)
      return compiledOnce(statement, bindings, 'test')
    }
    expect(await run(books.id)).toEqual([])
    await expect(run(books.title)).rejects.toThrow(/differs from the statement built anew/)
  })
})
