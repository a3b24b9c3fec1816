import { and, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { orders, payments, webhookEvents } from '../../db/schema'
import { randomId } from '../../lib/ids'
import {
  canTransition,
  loadOrder,
  type OrderAggregate,
  pendingRefundStatement,
  REFUNDABLE,
  releaseStockStatements,
  reserveRefundStatement,
  sendRefund,
} from '../orders'
import type { PaymentProvider } from './provider'

/** The part of Stripe's event object we rely on; everything else is ignored. */
export const StripeEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.looseObject({ id: z.string().optional() }) }),
})

export type StripeEvent = z.output<typeof StripeEventSchema>

const chargeSchema = z.object({ payment_intent: z.string(), amount_refunded: z.number().int().min(0) })

async function aggregateForIntent(db: Db, intentId: string | undefined): Promise<OrderAggregate | null> {
  if (!intentId) return null
  const payment = await db.query.payments.findFirst({ where: eq(payments.intentId, intentId) })
  return payment ? loadOrder(db, payment.orderId) : null
}

const paymentStatus = (db: Db, paymentId: string, status: 'succeeded' | 'failed' | 'canceled', now: Date) =>
  db.update(payments).set({ status, updatedAt: now }).where(eq(payments.id, paymentId))

/** payment_intent.succeeded: the order is paid (compare-and-swap on pending_payment). */
function paidStatements(db: Db, aggregate: OrderAggregate, now: Date): Statement[] {
  const { order, payment } = aggregate
  return [
    paymentStatus(db, payment!.id, 'succeeded', now),
    db
      .update(orders)
      .set({ status: 'paid', paidAt: now, updatedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.status, 'pending_payment'))),
  ]
}

/** payment_intent.payment_failed / canceled: the order is cancelled and its stock released. */
function failedStatements(db: Db, aggregate: OrderAggregate, type: string, now: Date): Statement[] {
  const { order, payment, lines } = aggregate
  const failed = type === 'payment_intent.payment_failed'
  return [
    paymentStatus(db, payment!.id, failed ? 'failed' : 'canceled', now),
    ...releaseStockStatements(db, order.id, lines, 'pending_payment', now),
    db
      .update(orders)
      .set({
        status: 'cancelled',
        cancelReason: failed ? 'payment_failed' : 'payment_canceled',
        cancelledAt: now,
        updatedAt: now,
      })
      .where(and(eq(orders.id, order.id), eq(orders.status, 'pending_payment'))),
  ]
}

/**
 * charge.refunded carries the charge's cumulative `amount_refunded`: our refunded total catches up with it (a
 * refund made in Stripe's dashboard), never goes down, and never exceeds the order total.
 */
function refundedStatements(
  db: Db,
  aggregate: OrderAggregate,
  amountRefunded: number,
  now: Date,
): Statement[] {
  const { order } = aggregate
  const target = Math.min(order.totalAmount, amountRefunded)
  if (target <= order.refundedAmount) return []
  const status = target === order.totalAmount ? 'refunded' : 'partially_refunded'
  const nextStatus = REFUNDABLE.includes(order.status) && canTransition(order, status) ? status : order.status
  return [
    db
      .update(orders)
      .set({
        refundedAmount: sql`max(${orders.refundedAmount}, ${target})`,
        status: nextStatus,
        updatedAt: now,
      })
      .where(and(eq(orders.id, order.id), eq(orders.status, order.status))),
  ]
}

function statementsFor(db: Db, event: StripeEvent, aggregate: OrderAggregate, now: Date): Statement[] {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return paidStatements(db, aggregate, now)
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled':
      return failedStatements(db, aggregate, event.type, now)
    case 'charge.refunded':
      return refundedStatements(db, aggregate, chargeSchema.parse(event.data.object).amount_refunded, now)
    default:
      return []
  }
}

function intentIdOf(event: StripeEvent): string | undefined {
  if (event.type === 'charge.refunded') return chargeSchema.safeParse(event.data.object).data?.payment_intent
  return event.type.startsWith('payment_intent.') ? event.data.object.id : undefined
}

/**
 * A payment that succeeds after its order was cancelled (it expired, or the customer cancelled while paying)
 * must not keep the money: the whole amount is refunded through the gateway.
 */
async function refundLatePayment(db: Db, provider: PaymentProvider, aggregate: OrderAggregate) {
  const { order, payment } = aggregate
  if (order.status !== 'cancelled' || !payment?.intentId || order.refundedAmount > 0) return
  const now = new Date()
  const refundId = randomId('rfd')
  const amount = order.totalAmount
  await runBatch(db, [
    pendingRefundStatement(
      db,
      { id: refundId, order, paymentId: payment.id, amount, reason: 'late payment' },
      now,
    ),
    reserveRefundStatement(db, order, amount, 'cancelled', now),
  ])
  await sendRefund(db, provider, {
    refundId,
    intentId: payment.intentId,
    amount,
    order,
    reservedStatus: 'cancelled',
  })
}

/**
 * Applies one verified Stripe event at most once: the event id is inserted in the same batch as the changes, so
 * a replay (or a concurrent duplicate delivery) fails on the primary key and changes nothing.
 */
export async function handleStripeEvent(
  db: Db,
  provider: PaymentProvider,
  event: StripeEvent,
  now = new Date(),
): Promise<{ duplicate: boolean }> {
  const seen = await db.query.webhookEvents.findFirst({ where: eq(webhookEvents.id, event.id) })
  if (seen) return { duplicate: true }
  const aggregate = await aggregateForIntent(db, intentIdOf(event))
  const changes = aggregate ? statementsFor(db, event, aggregate, now) : []
  try {
    await runBatch(db, [
      db.insert(webhookEvents).values({ id: event.id, type: event.type, processedAt: now }),
      ...changes,
    ])
  } catch (error) {
    if (isUniqueViolation(error, 'webhook_events.id')) return { duplicate: true }
    throw error
  }
  if (aggregate && event.type === 'payment_intent.succeeded') {
    try {
      await refundLatePayment(db, provider, await loadOrder(db, aggregate.order.id))
    } catch {
      // The refund row is left `failed` for an admin to retry; the event itself was handled.
    }
  }
  return { duplicate: false }
}
