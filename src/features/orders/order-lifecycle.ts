import { and, eq, inArray, isNotNull, isNull, lt, type SQL } from 'drizzle-orm'
import { insertWhen } from '../../db/batch'
import type { Db } from '../../db/client'
import { cartItems, type OrderRow, type OrderStatus, orders, payments } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { gatewayFailureKind, type PaymentGateway } from '../payments'
import { releaseStockStatements } from './inventory'
import { assertTransition, REFUNDABLE } from './order-status'
import { type Actor, auditIfWon, cancelOpenPayment, orderChanged, runTransition } from './order-transition'
import { loadOrder, loadVisibleOrder, type OrderAggregate, PAYMENT_WINDOW_MS, toOrder } from './order-views'
import type { Order } from './orders.schemas'
import { refundRowStatement, sendRefund, toRefund } from './refunds.service'

/**
 * The order state machine: every transition an order can take (checkout abandoned, cancel, ship, deliver,
 * refund, expire; pay, payment failed, late payment and gateway refunds in payment-events.ts) as ONE batch:
 *
 *   UPDATE orders SET status = …, transition_id = <fresh id> WHERE id = ? AND status IN (…) AND …   -- the swap
 *   … dependent writes (stock, payment row, refund row, audit) WHERE EXISTS (… transition_id = <that id>)
 *
 * The swap's changed-row count decides the answer; the dependent writes apply only if it won, so a transition
 * that lost a race changes nothing at all. A transition that owes money back moves the order out of every state
 * a competing transition starts from (paid, partially_refunded, pending_payment) and writes the refund row in
 * the same batch, before the gateway is called: the loser's compare-and-swap fails, and the money is owed
 * durably (refunds.service.ts sends it, the cron job resends it until the gateway confirms).
 */

/**
 * Checkout undone (the gateway could not set up the payment, or a book vanished): stock back, order cancelled,
 * payment failed, cart lines restored; from pending_payment only.
 */
export async function abandonCheckout(
  db: Db,
  checkout: { orderId: string; userId: string; lines: { bookId: string; quantity: number }[] },
  reason: string,
): Promise<void> {
  const { orderId, userId, lines } = checkout
  const now = new Date()
  await runTransition(
    db,
    {
      orderId,
      from: eq(orders.status, 'pending_payment'),
      set: { status: 'cancelled', cancelReason: reason, cancelledAt: now },
      dependents: (won) => [
        ...releaseStockStatements(db, lines, won, now),
        db
          .update(payments)
          .set({ status: 'failed', updatedAt: now })
          .where(and(eq(payments.orderId, orderId), won)),
        ...lines.map((line) =>
          insertWhen(
            db,
            cartItems,
            { userId, bookId: line.bookId, quantity: line.quantity, createdAt: now, updatedAt: now },
            won,
            { onConflictDoNothing: true },
          ),
        ),
      ],
    },
    now,
  )
}

/**
 * Best effort: an intent left open at the gateway cannot be paid for a cancelled order anyway (a late payment
 * is refunded, payment-events.ts). A failure is logged, without values.
 */
export async function cancelIntentQuietly(gateway: PaymentGateway, aggregate: OrderAggregate) {
  const intentId = aggregate.payment?.intentId
  if (!intentId || !aggregate.payment) return
  try {
    await gateway.cancelIntent({ intentId, idempotencyKey: `${aggregate.payment.id}_cancel` })
  } catch (error) {
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'payment intent cancel failed',
        orderId: aggregate.order.id,
        failure: gatewayFailureKind(error),
      }),
    )
  }
}

/**
 * Cancel, by the owner or an admin (audited), until the order ships. Unpaid: stock back, payment cancelled,
 * the intent cancelled at the gateway afterwards (best effort). Paid: stock back and everything not yet refunded
 * owed back, as a refund row in the same batch, sent right after; a gateway failure leaves the refund to the
 * cron job, never the order half-cancelled.
 */
export async function cancelOrder(
  db: Db,
  gateway: PaymentGateway,
  id: string,
  caller: Actor,
): Promise<Order> {
  const aggregate = await loadVisibleOrder(db, id, caller)
  const { order, lines, payment } = aggregate
  assertTransition(order, 'cancelled', 'cancel')
  const now = new Date()
  const cancelReason = caller.role === 'admin' ? 'cancelled_by_admin' : 'cancelled_by_customer'
  const unpaid = order.status === 'pending_payment'
  const remaining = order.totalAmount - order.refundedAmount
  const refundId = !unpaid && remaining > 0 && payment?.status === 'succeeded' ? randomId('rfd') : null
  const audit = auditIfWon(db, caller, order, 'cancel', { status: 'cancelled', refundId }, now)
  const won = await runTransition(
    db,
    {
      orderId: id,
      from: unpaid
        ? eq(orders.status, 'pending_payment')
        : and(
            inArray(orders.status, ['paid', 'partially_refunded', 'refunded']),
            isNull(orders.shippedAt),
            eq(orders.refundedAmount, order.refundedAmount),
          ),
      set: {
        status: 'cancelled',
        cancelReason,
        cancelledAt: now,
        ...(refundId ? { refundedAmount: order.totalAmount } : {}),
      },
      dependents: (won) => [
        ...releaseStockStatements(db, lines, won, now),
        ...(unpaid ? [cancelOpenPayment(db, id, won, now)] : []),
        ...(refundId && payment
          ? [
              refundRowStatement(
                db,
                { id: refundId, order, paymentId: payment.id, amount: remaining, reason: 'order cancelled' },
                { createdBy: caller.id, won },
                now,
              ),
            ]
          : []),
        ...audit(won),
      ],
    },
    now,
  )
  if (!won) throw orderChanged(id)
  if (refundId) await sendRefund(db, gateway, refundId)
  if (unpaid) await cancelIntentQuietly(gateway, aggregate)
  return toOrder(await loadOrder(db, id))
}

/** Where each fulfilment step may start, and what it records. */
const FULFILMENT = {
  ship: {
    to: 'shipped',
    from: () => and(inArray(orders.status, ['paid', 'partially_refunded']), isNull(orders.shippedAt)),
    at: 'shippedAt',
  },
  deliver: {
    to: 'delivered',
    from: () =>
      and(
        inArray(orders.status, ['shipped', 'partially_refunded']),
        isNotNull(orders.shippedAt),
        isNull(orders.deliveredAt),
      ),
    at: 'deliveredAt',
  },
} as const satisfies Record<string, { to: OrderStatus; from: () => SQL | undefined; at: keyof OrderRow }>

/** Ship or deliver (admin, audited): one transition, told apart by its step. */
export async function fulfilOrder(
  db: Db,
  id: string,
  step: keyof typeof FULFILMENT,
  admin: Actor,
): Promise<Order> {
  const { order } = await loadOrder(db, id)
  const { to, from, at } = FULFILMENT[step]
  assertTransition(order, to, step)
  const now = new Date()
  const won = await runTransition(
    db,
    {
      orderId: id,
      from: from(),
      set: { status: to, [at]: now },
      dependents: auditIfWon(db, admin, order, step, { status: to, [at]: now.toISOString() }, now),
    },
    now,
  )
  if (!won) throw orderChanged(id)
  return toOrder(await loadOrder(db, id))
}

export function refundExceedsPaid(remaining: number, currency: string): ApiError {
  return new ApiError(422, {
    title: 'Refund exceeds what was paid',
    detail: `At most ${remaining} (${currency} minor units) can still be refunded`,
    errors: [{ pointer: '/body/amount', detail: `At most ${remaining}` }],
  })
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
  return { amount, status, paymentId: payment.id }
}

/**
 * Admin refund, full (default) or partial (audited). The swap compares the refunded total it read, so of two
 * concurrent refunds one wins and the other is 409; the `orders_refund_within_total` CHECK is the last line of
 * defence. The refund row is written with it and sent right after; its status says whether the gateway has
 * confirmed it yet (a failed attempt is retried by the cron job with the same idempotency key).
 */
export async function refundOrder(
  db: Db,
  gateway: PaymentGateway,
  input: { orderId: string; amount?: number; reason?: string; actor: Actor },
) {
  const aggregate = await loadOrder(db, input.orderId)
  const { order } = aggregate
  const plan = planRefund(aggregate, input.amount)
  const now = new Date()
  const refundId = randomId('rfd')
  const refundedAmount = order.refundedAmount + plan.amount
  const audit = auditIfWon(
    db,
    input.actor,
    order,
    'refund',
    { status: plan.status, refundedAmount, refundId },
    now,
  )
  const won = await runTransition(
    db,
    {
      orderId: order.id,
      from: and(inArray(orders.status, REFUNDABLE), eq(orders.refundedAmount, order.refundedAmount)),
      set: { status: plan.status, refundedAmount },
      dependents: (won) => [
        refundRowStatement(
          db,
          { id: refundId, order, paymentId: plan.paymentId, amount: plan.amount, reason: input.reason },
          { createdBy: input.actor.id, won },
          now,
        ),
        ...audit(won),
      ],
    },
    now,
  )
  if (!won) throw orderChanged(order.id)
  const refund = await sendRefund(db, gateway, refundId)
  return { refund: toRefund(refund), order: toOrder(await loadOrder(db, order.id)) }
}

/** Expire: an order unpaid for the payment window is cancelled and its stock released. True if this run won. */
export async function expireOrder(db: Db, aggregate: OrderAggregate, now: Date): Promise<boolean> {
  const { order, lines } = aggregate
  return runTransition(
    db,
    {
      orderId: order.id,
      from: and(
        eq(orders.status, 'pending_payment'),
        lt(orders.createdAt, new Date(now.getTime() - PAYMENT_WINDOW_MS)),
      ),
      set: { status: 'cancelled', cancelReason: 'payment_timeout', cancelledAt: now },
      dependents: (won) => [
        ...releaseStockStatements(db, lines, won, now),
        cancelOpenPayment(db, order.id, won, now),
      ],
    },
    now,
  )
}
