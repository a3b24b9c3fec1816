import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import type { Db } from '../src/db/client'
import { orders, refunds } from '../src/db/schema'
import { cancelOrder, expireOrder, fulfilOrder, refundOrder } from '../src/features/orders/order-lifecycle'
import { loadOrder } from '../src/features/orders/order-views'
import { handleStripeEvent } from '../src/features/orders/payment-events'
import { createLocalGateway } from '../src/features/payments/local'
import {
  createBook,
  createUser,
  payOrder,
  placeOrder,
  postWebhook,
  stockOf,
  stripeEvent,
} from './helpers/commerce'
import { api } from './helpers/http'

/**
 * Every pair of transitions that could move money wrongly, raced many rounds. Odd rounds go through HTTP in
 * parallel (whatever interleaving the runtime gives); even rounds force the dangerous one: both sides read the
 * order before either writes (a gate holds each side's batch until the other side has reached its own batch or
 * finished), so only the compare-and-swap can decide. libSQL in Node serialises requests, so without the gate
 * the Node run would rarely interleave at all.
 */
const ROUNDS = 30
const gateway = createLocalGateway()

/**
 * Two calls on the real database whose batches wait for each other: both read first, then the writes are
 * issued in the order given (`'first'`: the first call's batch goes first), so each round decides which
 * transition the database sees first and the compare-and-swap alone must keep the other from doing harm.
 */
async function raced<A, B>(
  first: (db: Db) => Promise<A>,
  second: (db: Db) => Promise<B>,
  writesFirst: 'first' | 'second',
) {
  const releases: (() => void)[] = []
  const gates = [0, 1].map(
    () =>
      new Promise<void>((resolve) => {
        releases.push(resolve)
      }),
  )
  let arrived = 0
  const arrive = async () => {
    arrived++
    if (arrived !== 2) return
    const [leader, follower] = writesFirst === 'first' ? [0, 1] : [1, 0]
    releases[leader]!()
    // A macrotask later, once the leader's batch has been sent.
    await new Promise((resolve) => setTimeout(resolve, 0))
    releases[follower]!()
  }
  const gated = (index: number): Db => {
    const db = harness.db()
    let waited = false
    return new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'batch') return Reflect.get(target, property, receiver)
        return async (...args: unknown[]) => {
          if (!waited) {
            waited = true
            void arrive()
            await gates[index]
          }
          return (target.batch as (...items: unknown[]) => Promise<unknown>)(...args)
        }
      },
    })
  }
  const settle = <T>(run: Promise<T>) =>
    run.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
  // A side that finishes (or fails) without a batch must not hold the other one back.
  const side = <T>(index: number, call: (db: Db) => Promise<T>) =>
    settle(call(gated(index))).finally(() => {
      for (const release of releases) release()
      void arrive()
    })
  return Promise.all([side(0, first), side(1, second)])
}

/** Round r: gated with the first call writing first, gated with the second first, or plain HTTP in parallel. */
const modeOf = (round: number) => (['first', 'second', 'http'] as const)[round % 3]!

async function refundRows(orderId: string) {
  return harness.db().select().from(refunds).where(eq(refunds.orderId, orderId))
}

async function orderRow(orderId: string) {
  return (await harness.db().query.orders.findFirst({ where: eq(orders.id, orderId) }))!
}

/** The invariants every round must end in, whoever won. */
async function expectConsistent(orderId: string, book: string, stockBefore: number, quantity: number) {
  const order = await orderRow(orderId)
  const rows = await refundRows(orderId)
  const refunded = rows.reduce((sum, row) => sum + row.amount, 0)
  expect(order.refundedAmount, 'refunded total equals the refund rows').toBe(refunded)
  expect(order.refundedAmount).toBeLessThanOrEqual(order.totalAmount)
  if (order.shippedAt)
    expect(order.refundedAmount, 'never shipped and fully refunded').toBeLessThan(order.totalAmount)
  const released = order.status === 'cancelled'
  expect(await stockOf(book), 'stock released exactly once, and only for a cancelled order').toBe(
    released ? stockBefore : stockBefore - quantity,
  )
  return { order, rows }
}

describe('order transitions under contention', () => {
  it('cancel vs ship: one wins; a cancelled order is refunded once and never shipped', async () => {
    const customer = await createUser()
    const admin = await createUser('admin')
    const outcomes = new Set<string>()
    for (let round = 0; round < ROUNDS; round++) {
      const book = await createBook({ stock: 5, price: 2000 })
      const placed = await placeOrder(customer, [[book, 2]])
      await payOrder(placed)
      const mode = modeOf(round)
      const answers =
        mode !== 'http'
          ? (
              await raced(
                (db) => cancelOrder(db, gateway, placed.id, { id: customer.id, role: 'customer' }),
                (db) => fulfilOrder(db, placed.id, 'ship', { id: admin.id, role: 'admin' }),
                mode,
              )
            ).map((answer) => answer.ok)
          : (
              await Promise.all([
                api('POST', `/v1/orders/${placed.id}/cancel`, { token: customer.token }),
                api('POST', `/v1/admin/orders/${placed.id}/ship`, { token: admin.token }),
              ])
            ).map((response) => response.status === 200)
      expect(answers.filter(Boolean), `round ${round}: exactly one transition wins`).toHaveLength(1)
      const { order, rows } = await expectConsistent(placed.id, book, 5, 2)
      outcomes.add(order.status)
      if (order.status === 'cancelled') {
        expect(order.shippedAt).toBeNull()
        expect(rows.map((row) => [row.amount, row.status])).toEqual([[order.totalAmount, 'succeeded']])
      } else {
        expect(order.status).toBe('shipped')
        expect(rows).toEqual([])
      }
    }
    expect([...outcomes].every((status) => ['cancelled', 'shipped'].includes(status))).toBe(true)
  })

  it('cancel vs payment_intent.succeeded: paid and kept, or cancelled and the late payment refunded once', async () => {
    const customer = await createUser()
    for (let round = 0; round < ROUNDS; round++) {
      const book = await createBook({ stock: 5, price: 2000 })
      const placed = await placeOrder(customer, [[book, 1]])
      const event = stripeEvent('payment_intent.succeeded', {
        id: placed.payment.intentId,
        object: 'payment_intent',
        status: 'succeeded',
      })
      const mode = modeOf(round)
      if (mode !== 'http') {
        const parsed = { id: event.id, type: event.type, data: event.data }
        await raced(
          (db) => cancelOrder(db, gateway, placed.id, { id: customer.id, role: 'customer' }),
          (db) => handleStripeEvent(db, gateway, parsed),
          mode,
        )
      } else {
        const [, webhook] = await Promise.all([
          api('POST', `/v1/orders/${placed.id}/cancel`, { token: customer.token }),
          postWebhook(event),
        ])
        expect(webhook.status).toBe(200)
      }
      const { order, rows } = await expectConsistent(placed.id, book, 5, 1)
      expect(order.paidAt, `round ${round}: the payment is recorded either way`).not.toBeNull()
      if (order.status === 'cancelled') {
        // Cancelled before the money arrived (a late payment), or after the webhook made it paid (a cancel).
        expect(rows).toHaveLength(1)
        expect(rows[0]).toMatchObject({ amount: order.totalAmount, status: 'succeeded' })
        expect(['late payment', 'order cancelled']).toContain(rows[0]!.reason)
      } else {
        expect(order.status).toBe('paid')
        expect(rows).toEqual([])
      }
    }
  })

  it('refund vs refund: together never more than was paid, one refund row per refund that was answered 201', async () => {
    const customer = await createUser()
    const admin = await createUser('admin')
    const actor = { id: admin.id, role: 'admin' as const }
    for (let round = 0; round < ROUNDS; round++) {
      const book = await createBook({ stock: 5, price: 2000 })
      const placed = await placeOrder(customer, [[book, 1]])
      await payOrder(placed)
      const total = placed.total.amount as number
      let succeeded: number
      const mode = modeOf(round)
      if (mode !== 'http') {
        const answers = await raced(
          (db) => refundOrder(db, gateway, { orderId: placed.id, amount: total - 500, actor }),
          (db) => refundOrder(db, gateway, { orderId: placed.id, amount: 1000, actor }),
          mode,
        )
        succeeded = answers.filter((answer) => answer.ok).length
        expect(succeeded, `round ${round}: both read the same total, one swap wins`).toBe(1)
      } else {
        const responses = await Promise.all(
          [total - 500, 1000].map((amount) =>
            api('POST', `/v1/admin/orders/${placed.id}/refunds`, { token: admin.token, body: { amount } }),
          ),
        )
        succeeded = responses.filter((response) => response.status === 201).length
        expect(responses.every((response) => [201, 409, 422].includes(response.status))).toBe(true)
      }
      const { order, rows } = await expectConsistent(placed.id, book, 5, 1)
      expect(rows).toHaveLength(succeeded)
      expect(order.refundedAmount).toBeLessThanOrEqual(total)
    }
  })

  it('expiry vs late payment: expired and refunded once, or paid and kept; stock released at most once', async () => {
    const customer = await createUser()
    const expiryOutcomes = new Set<string>()
    for (let round = 0; round < ROUNDS; round++) {
      const book = await createBook({ stock: 5, price: 2000 })
      const placed = await placeOrder(customer, [[book, 1]])
      await harness
        .db()
        .update(orders)
        .set({ createdAt: sql`${orders.createdAt} - ${45 * 60_000}` })
        .where(eq(orders.id, placed.id))
      const event = stripeEvent('payment_intent.succeeded', {
        id: placed.payment.intentId,
        object: 'payment_intent',
        status: 'succeeded',
      })
      const parsed = { id: event.id, type: event.type, data: event.data }
      const now = new Date()
      const mode = modeOf(round)
      if (mode !== 'http') {
        await raced(
          async (db) => expireOrder(db, await loadOrder(db, placed.id), now),
          (db) => handleStripeEvent(db, gateway, parsed),
          mode,
        )
      } else {
        const db = harness.db()
        await Promise.all([
          (async () => expireOrder(db, await loadOrder(db, placed.id), now))(),
          postWebhook(event),
        ])
      }
      const { order, rows } = await expectConsistent(placed.id, book, 5, 1)
      if (mode !== 'http') expiryOutcomes.add(`${mode}:${order.status}`)
      if (order.status === 'cancelled') {
        expect(order.cancelReason).toBe('payment_timeout')
        expect(rows.map((row) => [row.amount, row.reason])).toEqual([[order.totalAmount, 'late payment']])
      } else {
        expect(order.status, `round ${round}`).toBe('paid')
        expect(rows).toEqual([])
      }
    }
    // Whichever batch the database ran first won: both orders of the writes were exercised.
    expect([...expiryOutcomes].sort()).toEqual(['first:cancelled', 'second:paid'])
  })
})
