import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { idempotencyKeys, payments } from '../src/db/schema'
import { IDEMPOTENCY_TTL_MS, IN_FLIGHT_LEASE_MS, withIdempotency } from '../src/http/idempotency'
import { type Customer, checkoutRequest, createBook, createUser, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'

/** The fingerprint checkout stores for the default body: from a first request with that body (empty cart, 409). */
async function checkoutFingerprint(customer: Customer): Promise<string> {
  const key = crypto.randomUUID()
  expect((await checkoutRequest(customer, key)).status).toBe(409)
  const row = await harness.db().query.idempotencyKeys.findFirst({
    where: and(eq(idempotencyKeys.userId, customer.id), eq(idempotencyKeys.key, key)),
  })
  return row!.fingerprint
}

/** A request that claimed `key` `ageMs` ago and never stored a response: its isolate died mid-checkout. */
async function abandonedRecord(customer: Customer, fingerprint: string, ageMs: number): Promise<string> {
  const key = crypto.randomUUID()
  const claimedAt = Date.now() - ageMs
  await harness
    .db()
    .insert(idempotencyKeys)
    .values({
      userId: customer.id,
      key,
      fingerprint,
      createdAt: new Date(claimedAt),
      expiresAt: new Date(claimedAt + IDEMPOTENCY_TTL_MS),
    })
  return key
}

const orderCount = async (customer: Customer) =>
  (await json(await api('GET', '/v1/me/orders', { token: customer.token }))).data.length

describe('Idempotency-Key lease after a crash mid-checkout (issue 9 item 12)', () => {
  it('keeps the lease short: at most 30 s', () => {
    expect(IN_FLIGHT_LEASE_MS).toBeLessThanOrEqual(30_000)
  })

  it('lets a retry take over a key whose lease has run out: 201 and one order', async () => {
    const customer = await createUser()
    const fingerprint = await checkoutFingerprint(customer)
    await putInCart(customer, await createBook({ stock: 3 }), 1)
    const key = await abandonedRecord(customer, fingerprint, IN_FLIGHT_LEASE_MS + 1000)
    const retry = await checkoutRequest(customer, key)
    expect(retry.status).toBe(201)
    expect(retry.headers.get('Idempotent-Replayed')).toBeNull()
    const replay = await checkoutRequest(customer, key)
    expect(replay.status).toBe(201)
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await orderCount(customer)).toBe(1)
  })

  it('answers 409 with Retry-After while the lease still runs, and changes nothing', async () => {
    const customer = await createUser()
    const fingerprint = await checkoutFingerprint(customer)
    await putInCart(customer, await createBook({ stock: 3 }), 1)
    const key = await abandonedRecord(customer, fingerprint, 5000)
    const retry = await checkoutRequest(customer, key)
    expect(retry.status).toBe(409)
    expect(retry.headers.get('Content-Type')).toBe('application/problem+json')
    const wait = Number(retry.headers.get('Retry-After'))
    expect(wait).toBeGreaterThanOrEqual(1)
    expect(wait).toBeLessThanOrEqual(IN_FLIGHT_LEASE_MS / 1000)
    expect(await orderCount(customer)).toBe(0)
  })

  it('lets only one of two racing retries take over an abandoned key', async () => {
    const customer = await createUser()
    const fingerprint = await checkoutFingerprint(customer)
    await putInCart(customer, await createBook({ stock: 3 }), 1)
    const key = await abandonedRecord(customer, fingerprint, IN_FLIGHT_LEASE_MS + 1000)
    const answers = await Promise.all([checkoutRequest(customer, key), checkoutRequest(customer, key)])
    const fresh = answers.filter((r) => r.status === 201 && r.headers.get('Idempotent-Replayed') === null)
    const others = answers.filter((r) => !fresh.includes(r))
    expect(fresh).toHaveLength(1)
    // The loser either met the winner's live lease (409) or, if the winner had finished, its stored answer.
    expect(others.map((r) => r.status === 409 || r.headers.get('Idempotent-Replayed') === 'true')).toEqual([
      true,
    ])
    expect(await orderCount(customer)).toBe(1)
  })

  it('does not let a request that outlived its lease overwrite the answer of the retry that took over', async () => {
    const db = harness.db()
    const input = { userId: 'usr_lease', key: crypto.randomUUID(), fingerprint: 'same' }
    let finish: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      finish = resolve
    })
    let started: () => void = () => {}
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const slow = withIdempotency(db, input, async () => {
      started()
      await gate
      return { status: 201, body: { by: 'slow original' } }
    })
    await running
    const later = new Date(Date.now() + IN_FLIGHT_LEASE_MS + 1000)
    const takeover = await withIdempotency(db, { ...input, now: later }, async () => ({
      status: 201,
      body: { by: 'retry' },
    }))
    expect(takeover).toEqual({ status: 201, body: { by: 'retry' }, replayed: false })
    finish()
    await slow
    const replay = await withIdempotency(db, { ...input, now: later }, async () => ({
      status: 201,
      body: {},
    }))
    expect(replay).toEqual({ status: 201, body: { by: 'retry' }, replayed: true })
  })

  it('does not store a transient database outage as the answer: the key is released for a retry', async () => {
    const db = harness.db()
    const input = { userId: 'usr_lease', key: crypto.randomUUID(), fingerprint: 'same' }
    const outage = new Error('D1_ERROR: Network connection lost.')
    await expect(withIdempotency(db, input, () => Promise.reject(outage))).rejects.toBe(outage)
    const retry = await withIdempotency(db, input, async () => ({ status: 201, body: { n: 2 } }))
    expect(retry).toEqual({ status: 201, body: { n: 2 }, replayed: false })
  })

  it('completes the first attempt when it died after its batch: the same order, now payable, not an empty cart', async () => {
    const customer = await createUser()
    const bookId = await createBook({ stock: 3 })
    await putInCart(customer, bookId, 1)
    const key = crypto.randomUUID()
    const first = await checkoutRequest(customer, key)
    expect(first.status).toBe(201)
    const order = await json(first)
    // The state a crash right after the checkout batch leaves: no answer stored, lease run out, no gateway intent.
    const db = harness.db()
    await db
      .update(idempotencyKeys)
      .set({
        responseStatus: null,
        responseBody: null,
        createdAt: new Date(Date.now() - IN_FLIGHT_LEASE_MS - 1000),
      })
      .where(and(eq(idempotencyKeys.userId, customer.id), eq(idempotencyKeys.key, key)))
    await db
      .update(payments)
      .set({ intentId: null, clientSecret: null, status: 'creating' })
      .where(eq(payments.orderId, order.id))
    const retry = await checkoutRequest(customer, key)
    expect(retry.status).toBe(201)
    const resumed = await json(retry)
    expect(resumed.id).toBe(order.id)
    expect(resumed.status).toBe('pending_payment')
    expect(resumed.payment.clientSecret).toEqual(expect.any(String))
    expect(await orderCount(customer)).toBe(1)
    // The stock was reserved once, by the first attempt.
    const stock = (
      await json(await api('GET', `/v1/books/${bookId}`, { headers: { 'Cache-Control': 'no-store' } }))
    ).stock
    expect(stock).toBe(2)
  })
})
