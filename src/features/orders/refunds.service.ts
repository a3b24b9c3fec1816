import { eq, sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isCheckViolation } from '../../db/errors'
import { type OrderRow, type OrderStatus, orders, type RefundRow, refunds } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { money } from '../../lib/money'
import { auditStatement } from '../audit'
import type { PaymentProvider } from '../payments'
import { assertTransition, REFUNDABLE } from './order-status'
import { loadOrder, type OrderAggregate, toOrder } from './order-views'
import type { Order } from './orders.schemas'

type Actor = { id: string; role: 'customer' | 'admin' }

/**
 * Adds `amount` to the order's refunded total, but only if nobody changed the order since it was read: when the
 * status or the refunded total moved, the CASE yields -1 and the `orders_refund_within_total` CHECK fails the
 * whole batch. The same CHECK refuses any total above what was paid. No race can refund twice.
 */
export function reserveRefundStatement(
  db: Db,
  order: OrderRow,
  amount: number,
  status: OrderStatus,
  now: Date,
) {
  return db
    .update(orders)
    .set({
      refundedAmount: sql`CASE WHEN ${orders.status} = ${order.status} AND ${orders.refundedAmount} = ${order.refundedAmount} THEN ${orders.refundedAmount} + ${amount} ELSE -1 END`,
      status,
      updatedAt: now,
    })
    .where(eq(orders.id, order.id))
}

export function refundExceedsPaid(remaining: number, currency: string): ApiError {
  return new ApiError(422, {
    title: 'Refund exceeds what was paid',
    detail: `At most ${remaining} (${currency} minor units) can still be refunded`,
    errors: [{ pointer: '/body/amount', detail: `At most ${remaining}` }],
  })
}

const concurrentChange = (id: string) =>
  new ApiError(409, { title: 'Order changed', detail: `Order ${id} changed meanwhile; fetch it and retry` })

/** Runs the reservation batch; a failed guard becomes 409 (someone else changed the order). */
export async function runReservation(db: Db, orderId: string, statements: Statement[]) {
  try {
    await runBatch(db, statements)
  } catch (error) {
    if (isCheckViolation(error, 'orders_refund_within_total')) throw concurrentChange(orderId)
    throw error
  }
}

export function pendingRefundStatement(
  db: Db,
  input: { id: string; order: OrderRow; paymentId: string; amount: number; reason?: string; actor?: Actor },
  now: Date,
) {
  return db.insert(refunds).values({
    id: input.id,
    orderId: input.order.id,
    paymentId: input.paymentId,
    amount: input.amount,
    currency: input.order.currency,
    status: 'pending',
    reason: input.reason ?? null,
    createdBy: input.actor?.id ?? null,
    createdAt: now,
    updatedAt: now,
  })
}

/** Calls the gateway for a reserved refund; on failure undoes the reservation and answers 502. */
export async function sendRefund(
  db: Db,
  provider: PaymentProvider,
  input: { refundId: string; intentId: string; amount: number; order: OrderRow; reservedStatus: OrderStatus },
): Promise<void> {
  try {
    const result = await provider.refund({
      intentId: input.intentId,
      amount: input.amount,
      idempotencyKey: input.refundId,
    })
    await db
      .update(refunds)
      .set({ status: result.status, providerRefundId: result.refundId, updatedAt: new Date() })
      .where(eq(refunds.id, input.refundId))
  } catch {
    const now = new Date()
    await runBatch(db, [
      db
        .update(orders)
        .set({
          refundedAmount: sql`${orders.refundedAmount} - ${input.amount}`,
          status: sql`CASE WHEN ${orders.status} = ${input.reservedStatus} THEN ${input.order.status} ELSE ${orders.status} END`,
          updatedAt: now,
        })
        .where(eq(orders.id, input.order.id)),
      db.update(refunds).set({ status: 'failed', updatedAt: now }).where(eq(refunds.id, input.refundId)),
    ])
    throw new ApiError(502, {
      title: 'Payment gateway unavailable',
      type: 'payment-gateway-error',
      detail: 'The refund could not be made; nothing changed. Try again.',
    })
  }
}

export function toRefund(
  row: Pick<RefundRow, 'id' | 'orderId' | 'amount' | 'currency' | 'status' | 'createdAt'>,
) {
  return {
    id: row.id,
    orderId: row.orderId,
    amount: money(row.amount, row.currency),
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  }
}

/** What a refund of an order needs: a settled payment, something left to refund, an amount within it. */
function planRefund(aggregate: OrderAggregate, requested: number | undefined) {
  const { order, payment } = aggregate
  if (!REFUNDABLE.includes(order.status)) {
    throw new ApiError(409, {
      title: 'Illegal order transition',
      type: 'illegal-transition',
      detail: `Cannot refund order ${order.id}: it is ${order.status}`,
    })
  }
  const remaining = order.totalAmount - order.refundedAmount
  const amount = requested ?? remaining
  if (amount > remaining) throw refundExceedsPaid(remaining, order.currency)
  if (!payment?.intentId || payment.status !== 'succeeded') {
    throw new ApiError(409, {
      title: 'Not paid',
      detail: `Order ${order.id} has no settled payment to refund`,
    })
  }
  const status: OrderStatus = amount === remaining ? 'refunded' : 'partially_refunded'
  assertTransition(order, status, 'refund')
  return { amount, status, intentId: payment.intentId, paymentId: payment.id }
}

/** Admin refund, full (default) or partial, through the gateway. Never more than was paid. */
export async function refundOrder(
  db: Db,
  provider: PaymentProvider,
  input: { aggregate: OrderAggregate; amount?: number; reason?: string; actor: Actor },
) {
  const { order } = input.aggregate
  const plan = planRefund(input.aggregate, input.amount)
  const now = new Date()
  const refundId = randomId('rfd')
  await runReservation(db, order.id, [
    pendingRefundStatement(
      db,
      { id: refundId, order, ...plan, reason: input.reason, actor: input.actor },
      now,
    ),
    auditStatement(
      db,
      {
        actorId: input.actor.id,
        action: 'order.refund',
        targetType: 'order',
        targetId: order.id,
        before: { status: order.status, refundedAmount: order.refundedAmount },
        after: { status: plan.status, refundedAmount: order.refundedAmount + plan.amount, refundId },
      },
      now,
    ),
    reserveRefundStatement(db, order, plan.amount, plan.status, now),
  ])
  await sendRefund(db, provider, { refundId, order, reservedStatus: plan.status, ...plan })
  const refund = await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) })
  return { refund: toRefund(refund!), order: toOrder(await loadOrder(db, order.id)) }
}

export type { Order }
