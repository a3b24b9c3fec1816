import { describe, expect, it } from 'vitest'
import { client, login, register, uniqueIp } from './helpers/accounts'
import { checkoutRequest, createBook, createUser, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'
import { roundTrips } from './helpers/round-trips'

// The database round trips a hot path makes, as the answer's Server-Timing reports them (src/db/client.ts counts
// every statement and every batch once). Counts are deterministic, so these are behaviour, not timing: a query
// added to one of these paths must be needed, or batched with the others (issue 11).
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

  it('catalog discovery: a suggestion is one batch; related books are two (bought together) or four (similar)', async () => {
    const noStore = { 'Cache-Control': 'no-store' }
    const bookId = await createBook()
    await createBook()
    const suggest = await api('GET', '/v1/search/suggest?q=ro', { headers: noStore })
    expect(suggest.status).toBe(200)
    expect(roundTrips(suggest)).toBe(1)
    // No paid orders: the book and its subjects (one batch), the bought-together pairs (none), then the fallback's
    // ranking by shared authors and the page's books with their extras.
    const related = await api('GET', `/v1/books/${bookId}/related`, { headers: noStore })
    expect(related.status).toBe(200)
    const body = await json(related)
    expect(body.source).toBe('similar')
    expect(body.data.length).toBeGreaterThan(0)
    expect(roundTrips(related)).toBe(4)
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
    // The session check, the book, the upsert with the cart read back.
    expect(roundTrips(put)).toBe(3)
    const order = await checkoutRequest(customer)
    expect(order.status).toBe(201)
    // The session check, the Idempotency-Key claim, the cart with the earlier attempt, the checkout batch, the
    // intent with the order read back, the stored answer (issue 11's target of 3: see README "Performance").
    expect(roundTrips(order)).toBe(6)
    const { id } = await json(order)
    const read = await api('GET', `/v1/orders/${id}`, { token: customer.token })
    expect(read.status).toBe(200)
    // The session check, then the order, its lines and its payment in one batch.
    expect(roundTrips(read)).toBe(2)
  })

  it('a request that needs no database runs no query', async () => {
    const health = await api('GET', '/health')
    expect(health.status).toBe(200)
    expect(roundTrips(health)).toBe(1)
    const openapi = await api('GET', '/openapi.json')
    expect(roundTrips(openapi)).toBe(0)
  })
})
