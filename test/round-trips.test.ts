import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { bookRelations } from '../src/db/schema'
import { randomId } from '../src/lib/ids'
import { client, login, register, uniqueIp } from './helpers/accounts'
import {
  checkoutRequest,
  address as commerceAddress,
  createBook,
  createUser,
  postWebhook,
  putInCart,
  stripeEvent,
} from './helpers/commerce'
import { uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { roundTrips } from './helpers/round-trips'

// The database round trips a hot path makes, as the answer's Server-Timing reports them (src/db/client.ts counts
// every statement and every batch once). Counts are deterministic, so these are behaviour, not timing: a query
// added to one of these paths must be needed, or batched with the others (issue 11).
async function checkoutAfterPut(customer: Awaited<ReturnType<typeof createUser>>) {
  expect((await putInCart(customer, await createBook(), 1)).status).toBe(200)
  const order = await checkoutRequest(customer)
  expect(order.status).toBe(201)
  return json(order)
}

describe('database round trips per request (Server-Timing)', () => {
  it('an uncached catalog read is one query: no catalog-version check when nothing is looked up or stored', async () => {
    const bookId = await createBook()
    const noStore = { 'Cache-Control': 'no-store' }
    const page = await api('GET', '/v1/books?limit=5', { headers: noStore })
    expect(page.status).toBe(200)
    expect(roundTrips(page)).toBe(1)
    const book = await api('GET', `/v1/books/${bookId}`, { headers: noStore })
    expect(book.status).toBe(200)
    expect(roundTrips(book)).toBe(1)
  })

  it('a faceted search is one batch: the page and every facet count, on every page', async () => {
    const noStore = { 'Cache-Control': 'no-store' }
    const word = uniqueWord('rt')
    for (let i = 0; i < 4; i++) await createBook({ title: `${word} ${i}` })
    // A full first page (3 books: FEW_RESULTS), so no corrected spelling is tried.
    const path = `/v1/books?q=${word}&limit=3&facets=subject,language,format,price`
    const first = await api('GET', path, { headers: noStore })
    expect(first.status).toBe(200)
    const page = await json(first.clone())
    expect(page.data).toHaveLength(3)
    expect(page.facets.language).toEqual([{ value: 'en', count: 4 }])
    expect(roundTrips(first)).toBe(1)
    const next = await api('GET', `${path}&cursor=${page.nextCursor}`, { headers: noStore })
    expect(next.status).toBe(200)
    expect((await json(next.clone())).facets).toEqual(page.facets)
    expect(roundTrips(next)).toBe(1)
  })

  it('a search whose small first page has a next page is one query: it found enough, no spelling is tried', async () => {
    const word = uniqueWord('rs')
    for (let i = 0; i < 3; i++) await createBook({ title: `${word} ${i}` })
    const first = await api('GET', `/v1/books?q=${word}&limit=1`, {
      headers: { 'Cache-Control': 'no-store' },
    })
    expect(first.status).toBe(200)
    const page = await json(first.clone())
    expect(page.data).toHaveLength(1)
    expect(page.nextCursor).toBeTruthy()
    expect(page.didYouMean).toBeNull()
    expect(roundTrips(first)).toBe(1)
  })

  it('catalog discovery: a suggestion is one batch; related books are one (bought together) or two (similar)', async () => {
    const noStore = { 'Cache-Control': 'no-store' }
    const bookId = await createBook()
    const other = await createBook()
    const suggest = await api('GET', '/v1/search/suggest?q=ro', { headers: noStore })
    expect(suggest.status).toBe(200)
    expect(roundTrips(suggest)).toBe(1)
    // No recomputed pairs: the book, its subjects and its (missing) pairs in one batch, then the fallback's
    // ranking by shared authors with the page's books and their extras in one statement.
    const similar = await api('GET', `/v1/books/${bookId}/related`, { headers: noStore })
    expect(similar.status).toBe(200)
    const body = await json(similar.clone())
    expect(body.source).toBe('similar')
    expect(body.data.length).toBeGreaterThan(0)
    expect(roundTrips(similar)).toBe(2)
    // With a recomputed pair (written as the discovery cron would): the first batch answers on its own.
    await harness
      .db()
      .insert(bookRelations)
      .values({ bookId, relatedBookId: other, buyers: 3, computedAt: new Date() })
    const together = await api('GET', `/v1/books/${bookId}/related`, { headers: noStore })
    expect(together.status).toBe(200)
    expect(await json(together.clone())).toMatchObject({ source: 'bought_together', data: [{ id: other }] })
    expect(roundTrips(together)).toBe(1)
    const unknown = await api('GET', `/v1/books/${randomId('bk')}/related`, { headers: noStore })
    expect(unknown.status).toBe(404)
    expect(roundTrips(unknown)).toBe(1)
  })

  it('GET /v1/me is one query: the session check reads the account it answers with', async () => {
    const customer = await createUser('customer', { name: 'Round Trip' })
    const me = await api('GET', '/v1/me', { token: customer.token })
    expect(me.status).toBe(200)
    expect((await json(me)).name).toBe('Round Trip')
    expect(roundTrips(me)).toBe(1)
  })

  it('a sign-in is two: reads and the attempt reservation in one batch, then the session in another', async () => {
    const { email, password } = await register()
    const ip = uniqueIp()
    const wrong = await login(email, 'not the password at all', client(ip))
    expect(wrong.status).toBe(401)
    expect(roundTrips(wrong)).toBe(1)
    const right = await login(email, password, client(ip))
    expect(right.status).toBe(200)
    expect(roundTrips(right)).toBe(2)
  })

  it('a checkout: the cart write reads the cart back in its batch; the order is read back with the intent', async () => {
    const customer = await createUser('customer')
    const bookId = await createBook()
    const put = await putInCart(customer, bookId, 1)
    expect(put.status).toBe(200)
    // One batch: the session check, the book, the upsert (guarded by the session), the cart read back.
    expect(roundTrips(put)).toBe(1)
    const key = crypto.randomUUID()
    const order = await checkoutRequest(customer, key)
    expect(order.status).toBe(201)
    // The session check with the Idempotency-Key claim, the cart and the earlier attempt; the checkout batch with
    // the order read back; the intent update with the stored answer.
    expect(roundTrips(order)).toBe(3)
    // A retry is answered from the record the claim's batch read back: one round trip.
    const retry = await checkoutRequest(customer, key)
    expect(retry.status).toBe(201)
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
    expect(roundTrips(retry)).toBe(1)
    const first = await json(order)
    const { id } = first
    const read = await api('GET', `/v1/orders/${id}`, { token: customer.token })
    expect(read.status).toBe(200)
    // The answer built from the checkout batch's read-back and the intent is the order as it is read afterwards.
    expect(await json(read.clone())).toEqual(first)
    // The session check with the order, its lines and its payment: one batch.
    expect(roundTrips(read)).toBe(1)
    const placed = await json(retry)
    expect(placed).toEqual(first)
    const event = stripeEvent('payment_intent.succeeded', {
      id: placed.payment.intentId,
      object: 'payment_intent',
      amount: placed.total.amount,
      status: 'succeeded',
    })
    const paid = await postWebhook(event)
    expect(paid.status).toBe(200)
    // Whether the event was seen with the aggregate of the order its intent pays; then the event's transitions.
    expect(roundTrips(paid)).toBe(2)
    const again = await postWebhook(event)
    expect(again.status).toBe(200)
    expect(roundTrips(again)).toBe(1)
    expect((await json(await api('GET', `/v1/orders/${id}`, { token: customer.token }))).status).toBe('paid')
  })

  it('every signed-in read is one: the session check travels in the read’s batch', async () => {
    const customer = await createUser('customer')
    const order = await checkoutAfterPut(customer)
    const address = await api('POST', '/v1/me/addresses', { token: customer.token, body: commerceAddress })
    expect(address.status).toBe(201)
    const reads = [
      '/v1/me',
      '/v1/me/cart',
      '/v1/me/orders?limit=5',
      `/v1/orders/${order.id}`,
      '/v1/me/addresses',
      '/v1/me/sessions',
      '/v1/me/security-events',
    ]
    for (const path of reads) {
      const response = await api('GET', path, { token: customer.token })
      expect(response.status, path).toBe(200)
      expect(roundTrips(response), path).toBe(1)
    }
    const list = await json(await api('GET', '/v1/me/orders?limit=5', { token: customer.token }))
    expect(list.data.map((item: { id: string }) => item.id)).toEqual([order.id])
    expect(list.data[0].lines.length).toBe(1)
    expect(list.data[0].payment).not.toBeNull()
  })

  it('a request that needs no database runs no query', async () => {
    const health = await api('GET', '/health')
    expect(health.status).toBe(200)
    expect(roundTrips(health)).toBe(1)
    const openapi = await api('GET', '/openapi.json')
    expect(roundTrips(openapi)).toBe(0)
  })
})
