import { eq } from 'drizzle-orm'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { searchMisses } from '../src/db/schema'
import { pruneSearchMisses, recordSearchMiss } from '../src/features/search'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken, customerToken } from './helpers/tokens'

const search = (q: string) => api('GET', `/v1/books?q=${encodeURIComponent(q)}`)
const missOf = async (query: string) =>
  (await harness.db().select().from(searchMisses).where(eq(searchMisses.query, query)))[0]

beforeAll(async () => {
  await createBook({ title: 'The Silmarillion', authors: ['J. R. R. Tolkien'] })
})

describe('search misses: searches that found nothing are counted', () => {
  it('counts a search that found nothing, once per request, by its normalised words', async () => {
    const word = uniqueWord('nq')
    expect((await json(await search(`${word} Zebra`))).data).toEqual([])
    // Another spelling of the same search (another cache key too): the same entry.
    expect((await search(`  ${word.toUpperCase()}   zébra!`)).status).toBe(200)
    const miss = await missOf(`${word} zebra`)
    expect(miss).toMatchObject({ query: `${word} zebra`, count: 2 })
    // Nothing about who searched: only the text, how often, when first and last.
    expect(Object.keys(miss!).sort()).toEqual(['count', 'firstSeenAt', 'lastSeenAt', 'query'])
  })

  it('does not count a search that found books, nor one the typo fallback answered', async () => {
    expect((await json(await search('silmarillion'))).data).toHaveLength(1)
    const corrected = await json(await search('silmarilion'))
    expect(corrected).toMatchObject({ corrected: true, didYouMean: 'silmarillion' })
    expect(await missOf('silmarillion')).toBeUndefined()
    expect(await missOf('silmarilion')).toBeUndefined()
  })

  it('does not count later pages, nor a list without q', async () => {
    const before = await harness.db().$count(searchMisses)
    const cursor = 'eyJzIjoicmVsZXZhbmNlIiwibyI6ImFzYyIsImsiOjAsImkiOjF9'
    expect((await api('GET', `/v1/books?q=${uniqueWord('nq')}&cursor=${cursor}`)).status).toBe(200)
    expect((await json(await api('GET', '/v1/books?minPrice=99999999'))).data).toEqual([])
    expect(await harness.db().$count(searchMisses)).toBe(before)
  })
})

describe('the miss table stays bounded', () => {
  beforeEach(async () => {
    await harness.db().delete(searchMisses)
  })

  it('records no new query once full, while the ones already there keep counting', async () => {
    const db = harness.db()
    for (const query of ['alpha', 'beta', 'gamma']) await recordSearchMiss(db, query, { cap: 3 })
    await recordSearchMiss(db, 'delta', { cap: 3 })
    await recordSearchMiss(db, 'alpha', { cap: 3 })
    expect(await missOf('delta')).toBeUndefined()
    expect((await missOf('alpha'))?.count).toBe(2)
    expect(await db.$count(searchMisses)).toBe(3)
  })

  it('cuts a stored query to 100 characters', async () => {
    await recordSearchMiss(harness.db(), 'x'.repeat(300))
    expect((await harness.db().select().from(searchMisses))[0]!.query).toHaveLength(100)
  })

  it('is pruned by the cron: misses unseen for 90 days go, then all but the most frequent', async () => {
    const db = harness.db()
    const now = new Date()
    const old = new Date(now.getTime() - 91 * 86_400_000)
    await recordSearchMiss(db, 'forgotten', { now: old })
    for (let i = 0; i < 3; i++) await recordSearchMiss(db, 'frequent', { now })
    for (let i = 0; i < 2; i++) await recordSearchMiss(db, 'sometimes', { now })
    await recordSearchMiss(db, 'once', { now })
    expect(await pruneSearchMisses(db, { now, keep: 2 })).toBe(2)
    expect((await db.select().from(searchMisses)).map((row) => row.query).sort()).toEqual([
      'frequent',
      'sometimes',
    ])
  })
})

describe('GET /v1/admin/search/misses', () => {
  beforeEach(async () => {
    await harness.db().delete(searchMisses)
  })

  it('is for admins only', async () => {
    expect((await api('GET', '/v1/admin/search/misses')).status).toBe(401)
    const customer = await api('GET', '/v1/admin/search/misses', { token: await customerToken() })
    expect(customer.status).toBe(403)
  })

  it('lists the misses most frequent first, page by page', async () => {
    const db = harness.db()
    const counts: Record<string, number> = { one: 1, three: 3, two: 2, four: 4, twotoo: 2 }
    for (const [query, count] of Object.entries(counts)) {
      for (let i = 0; i < count; i++) await recordSearchMiss(db, query)
    }
    const token = await adminToken()
    const seen: { query: string; count: number }[] = []
    let path: string | null = '/v1/admin/search/misses?limit=2'
    while (path) {
      const response = await api('GET', path, { token })
      expect(response.status).toBe(200)
      const page = await json(response)
      seen.push(...page.data)
      path = response.headers.get('Link')?.match(/<([^>]+)>/)?.[1] ?? null
      if (page.nextCursor === null) expect(path).toBeNull()
    }
    expect(seen.map((miss) => miss.count)).toEqual([4, 3, 2, 2, 1])
    expect(seen.map((miss) => miss.query).slice(0, 2)).toEqual(['four', 'three'])
    expect(new Set(seen.map((miss) => miss.query)).size).toBe(5)
    expect(seen[0]).toMatchObject({ firstSeenAt: expect.any(String), lastSeenAt: expect.any(String) })
  })
})
