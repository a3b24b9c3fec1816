import { eq, type SQL, sql } from 'drizzle-orm'
import { beforeEach, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { bookRelations, books, type OrderStatus, orderLines, orders } from '../src/db/schema'
import { runDiscoveryCron } from '../src/features/books'
import {
  buildBoughtTogetherQuery,
  buildSimilarBooksQuery,
  buildSimilarCandidatesQuery,
  recomputeBookRelations,
} from '../src/features/books/related.service'
import { randomId } from '../src/lib/ids'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken, createUser } from './helpers/tokens'

type Related = { source: 'bought_together' | 'similar'; data: { id: string }[] }

const related = async (id: string, query = '') => {
  // no-store: past the edge cache, so each call sees the latest recompute (the catalog version does not move).
  const response = await api('GET', `/v1/books/${id}/related${query}`, {
    headers: { 'Cache-Control': 'no-store' },
  })
  expect(response.status, await response.clone().text()).toBe(200)
  return json<Related>(response)
}
const ids = (answer: Related) => answer.data.map((book) => book.id)

/** A paid (or otherwise) order of these books by this buyer, arranged directly: checkout is tested elsewhere. */
async function bought(buyer: string | null, bookIds: string[], status: OrderStatus = 'paid') {
  const id = randomId('ord')
  const now = new Date()
  await harness.db().insert(orders).values({
    id,
    userId: buyer,
    status,
    currency: 'EUR',
    subtotalAmount: 1000,
    shippingAmount: 0,
    totalAmount: 1000,
    createdAt: now,
    updatedAt: now,
  })
  await harness
    .db()
    .insert(orderLines)
    .values(bookIds.map((bookId) => ({ orderId: id, bookId, title: 'x', unitAmount: 500, quantity: 1 })))
}

const buyers = async (count: number) =>
  Promise.all(Array.from({ length: count }, async () => (await createUser()).id))
const recompute = () => recomputeBookRelations(harness.db(), { minBuyers: 3, force: true })
const book = async (overrides: Record<string, unknown> = {}) =>
  (await createBook({ authors: [uniqueWord('au')], ...overrides })).id

beforeEach(async () => {
  await harness.db().delete(bookRelations)
})

describe('GET /v1/books/{id}/related: bought together', () => {
  it('shows books bought in the same orders by at least three customers, the most buyers first', async () => {
    const [a, b, c] = [await book(), await book(), await book()]
    const people = await buyers(4)
    for (const person of people) await bought(person, [a, b])
    for (const person of people.slice(0, 3)) await bought(person, [a, c])
    await recompute()
    const answer = await related(a)
    expect(answer.source).toBe('bought_together')
    expect(ids(answer)).toEqual([b, c])
    expect(ids(await related(b))).toEqual([a])
  })

  it('never reveals a pair below the minimum: one order alone cannot show another basket', async () => {
    const [popular, secret, other] = [await book(), await book(), await book()]
    const people = await buyers(3)
    for (const person of people) await bought(person, [popular, other])
    // Two customers bought the secret book with the popular one: below three, it must not appear.
    await bought(people[0]!, [popular, secret])
    await bought(people[1]!, [popular, secret])
    // One of them buying the pair again and again is still one buyer.
    for (let i = 0; i < 3; i++) await bought(people[0]!, [popular, secret])
    await recompute()
    expect(ids(await related(popular))).toEqual([other])
    const fromSecret = await related(secret)
    expect(fromSecret.source).toBe('similar')
    expect(ids(fromSecret)).not.toContain(popular)
  })

  it('counts only paid, shipped and delivered orders of live accounts', async () => {
    const [a, b] = [await book(), await book()]
    const people = await buyers(6)
    await bought(people[0]!, [a, b], 'paid')
    await bought(people[1]!, [a, b], 'refunded')
    await bought(people[2]!, [a, b], 'cancelled')
    await bought(people[3]!, [a, b], 'pending_payment')
    await bought(null, [a, b], 'delivered') // an erased account's order
    await recompute()
    expect((await related(a)).source).toBe('similar')
    await bought(people[4]!, [a, b], 'shipped')
    await bought(people[5]!, [a, b], 'delivered')
    await recompute()
    expect(await related(a)).toMatchObject({ source: 'bought_together', data: [{ id: b }] })
  })

  it('leaves out other editions of the same work and books out of stock', async () => {
    const hardcover = await book()
    // Filed as another edition of the same work, through the API (editionOf).
    const ebook = await book({ editionOf: hardcover })
    const [soldOut, fine] = [await book({ stock: 1 }), await book()]
    for (const person of await buyers(3)) await bought(person, [hardcover, ebook, soldOut, fine])
    await recompute()
    expect(ids(await related(hardcover)).sort()).toEqual([soldOut, fine].sort())
    await harness.db().update(books).set({ stock: 0 }).where(eq(books.id, soldOut))
    expect(ids(await related(hardcover))).toEqual([fine])
  })

  it('is 404 for an unknown book and 400 for a bad limit', async () => {
    expect((await api('GET', `/v1/books/${randomId('bk')}/related`)).status).toBe(404)
    expect((await api('GET', `/v1/books/${await book()}/related?limit=21`)).status).toBe(400)
  })
})

describe('GET /v1/books/{id}/related: the fallback', () => {
  async function subject(name: string, parentId?: string): Promise<string> {
    const response = await api('POST', '/v1/subjects', {
      token: await adminToken(),
      body: { name: `${name} ${uniqueWord('s')}`, ...(parentId ? { parentId } : {}) },
    })
    expect(response.status, await response.clone().text()).toBe(201)
    return (await json(response)).id
  }

  it('without enough purchases, answers books sharing its subjects and authors, best match first', async () => {
    const author = `Writer ${uniqueWord('au')}`
    const fantasy = await subject('Fantasy')
    const epic = await subject('Epic fantasy', fantasy)
    const filed = { subjectIds: [epic] }
    const start = await book({ authors: [author], ...filed })
    const sameAuthorAndSubject = await book({ authors: [author], ...filed })
    const sameAuthor = await book({ authors: [author] })
    const sameSubject = await book(filed)
    const soldOut = await book({ authors: [author], stock: 0, ...filed })
    const unrelated = await book()
    const answer = await related(start)
    expect(answer.source).toBe('similar')
    expect(ids(answer)).toEqual([sameAuthorAndSubject, sameAuthor, sameSubject])
    expect(ids(answer)).not.toContain(unrelated)
    expect(ids(answer)).not.toContain(soldOut)
    expect(ids(await related(start, '?limit=1'))).toEqual([sameAuthorAndSubject])
  })

  it('answers an empty list for a book with nothing in common with any other', async () => {
    expect(await related(await book())).toEqual({ source: 'similar', data: [] })
  })
})

describe('the discovery cron', () => {
  it('recomputes the pairs into book_relations, replacing the previous set, at most hourly', async () => {
    const [a, b, c] = [await book(), await book(), await book()]
    const people = await buyers(3)
    for (const person of people) await bought(person, [a, b])
    const first = await runDiscoveryCron(harness.env as never)
    expect(first).toMatchObject({ recomputed: true })
    const rows = await harness.db().select().from(bookRelations).where(eq(bookRelations.bookId, a))
    expect(rows).toEqual([expect.objectContaining({ relatedBookId: b, buyers: 3 })])
    for (const person of people) await bought(person, [a, c])
    expect(await runDiscoveryCron(harness.env as never)).toMatchObject({ recomputed: false })
    const later = new Date(Date.now() + 2 * 3_600_000)
    expect(await runDiscoveryCron(harness.env as never, later)).toMatchObject({ recomputed: true })
    expect(ids(await related(a)).sort()).toEqual([b, c].sort())
  })
})

describe('query plans of the related books', () => {
  const fullScan = (plan: string[]) =>
    plan.filter((detail) => /^SCAN (books|book_relations|book_subjects)\b(?!_fts)(?!.*USING)/.test(detail))
  const planOf = async (statement: SQL) => {
    const rows = await harness.db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${statement}`)
    return rows.map((row) => row.detail)
  }
  const own = {
    id: 'bk_00000000000000000000000000',
    workId: 'wk_00000000000000000000000000',
    authors: ['Ann Clay'],
  }

  it('reads the pairs of one book through book_relations_rank_idx', async () => {
    const plan = await planOf(buildBoughtTogetherQuery(harness.db(), own, 8).getSQL())
    expect(plan.join('\n')).toContain('SEARCH book_relations USING INDEX book_relations_rank_idx (book_id=?)')
    expect(fullScan(plan)).toEqual([])
  })

  it('reads the fallback candidates per subject and per author through indexes', async () => {
    const plan = await planOf(buildSimilarCandidatesQuery(own, ['sb_1', 'sb_2'])!)
    expect(plan.join('\n')).toContain('SEARCH book_subjects USING COVERING INDEX')
    expect(plan.join('\n')).toMatch(/SCAN books_fts VIRTUAL TABLE INDEX \d+:M/)
    expect(fullScan(plan)).toEqual([])
  })

  it('reads the fallback page in the same statement: the ranked candidates first, then each book by id', async () => {
    const plan = await planOf(buildSimilarBooksQuery(harness.db(), own, ['sb_1'], 8)!.getSQL())
    expect(plan.join('\n')).toContain('SEARCH book_subjects USING COVERING INDEX')
    expect(plan.join('\n')).toContain('SCAN ranked\nSEARCH books USING INDEX books_id_unique (id=?)')
    expect(fullScan(plan)).toEqual([])
  })
})
