import { and, eq, isNull, lt, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { orders, payments, webhookEvents } from '../../db/schema'
import { randomId } from '../../lib/ids'
import type { PaymentGateway } from '../payments'
import { releaseStockStatements } from './inventory'
import { REFUNDABLE } from './order-status'
import { runTransitions, type TransitionStatements, transitionStatements } from './order-transition'
import { type OrderAggregate, orderAggregateReads } from './order-views'
import { refundRowStatement, sendRefund } from './refunds.service'

/**
 * The transitions the payment gateway drives, from its verified webhook events: pay, payment failed or
 * cancelled, late payment (money arriving for an order already cancelled), and refunds made at the gateway.
 * Each event is applied at most once: its id is inserted in the same batch as its transitions.
 */

/** The part of Stripe's event object we rely on; everything else is ignored. */
export const StripeEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.looseObject({ id: z.string().optional() }) }),
})

export type StripeEvent = z.output<typeof StripeEventSchema>

const chargeSchema = z.object({ payment_intent: z.string(), amount_refunded: z.number().int().min(0) })

/** The reads of the order an intent pays (its aggregate), as statements: the order id is a subquery. */
function aggregateForIntentReads(db: Db, intentId: string) {
  const orderId = sql`(SELECT ${payments.orderId} FROM ${payments} WHERE ${payments.intentId} = ${intentId})`
  return orderAggregateReads(db, orderId)
}

/**
 * The payment row follows the gateway, except that a success is final: Stripe does not promise event order (a
 * declined first attempt's `payment_failed` can arrive after the retry's `succeeded`), and a payment marked
 * failed after it succeeded would make a paid order unrefundable, so a cancel would keep the money.
 */
const paymentStatus = (db: Db, paymentId: string, status: 'succeeded' | 'failed' | 'canceled', now: Date) =>
  db
    .update(payments)
    .set({ status, updatedAt: now })
    .where(
      status === 'succeeded'
        ? eq(payments.id, paymentId)
        : and(eq(payments.id, paymentId), ne(payments.status, 'succeeded')),
    )

/**
 * payment_intent.succeeded: two transitions in one batch, of which at most one can win. Pay (from
 * pending_payment); or, if the order was cancelled before the money arrived (it expired, or the customer
 * cancelled while paying), late payment: the whole amount is owed back, as a refund row, and the order stays
 * cancelled (its stock was released when it was cancelled, and is not touched again).
 */
function succeeded(db: Db, aggregate: OrderAggregate, now: Date) {
  const { order, payment } = aggregate
  const refundId = randomId('rfd')
  const pay = transitionStatements(
    db,
    { orderId: order.id, from: eq(orders.status, 'pending_payment'), set: { status: 'paid', paidAt: now } },
    now,
  )
  // What is still owed back: the total less anything already refunded at the gateway (a dashboard refund may
  // have arrived first). The compare-and-swap pins the refunded total this amount was computed from.
  const owed = order.totalAmount - order.refundedAmount
  const latePayment = transitionStatements(
    db,
    {
      orderId: order.id,
      from: and(
        eq(orders.status, 'cancelled'),
        isNull(orders.paidAt),
        eq(orders.refundedAmount, order.refundedAmount),
      ),
      set: { paidAt: now, refundedAmount: order.totalAmount },
      dependents: (won) =>
        owed > 0
          ? [
              refundRowStatement(
                db,
                { id: refundId, order, paymentId: payment!.id, amount: owed, reason: 'late payment' },
                { won },
                now,
              ),
            ]
          : [],
    },
    now,
  )
  return {
    before: [paymentStatus(db, payment!.id, 'succeeded', now)],
    transitions: [pay, latePayment],
    refundId: owed > 0 ? refundId : undefined,
  }
}

/** payment_intent.payment_failed / canceled: the unpaid order is cancelled and its stock released. */
function failed(db: Db, aggregate: OrderAggregate, type: string, now: Date) {
  const { order, payment, lines } = aggregate
  const isFailure = type === 'payment_intent.payment_failed'
  const cancel = transitionStatements(
    db,
    {
      orderId: order.id,
      from: eq(orders.status, 'pending_payment'),
      set: {
        status: 'cancelled',
        cancelReason: isFailure ? 'payment_failed' : 'payment_canceled',
        cancelledAt: now,
      },
      dependents: (won) => releaseStockStatements(db, lines, won, now),
    },
    now,
  )
  return {
    before: [paymentStatus(db, payment!.id, isFailure ? 'failed' : 'canceled', now)],
    transitions: [cancel],
  }
}

/**
 * charge.refunded carries the charge's cumulative `amount_refunded`. Refunds we send are counted in our
 * refunded total before they reach the gateway, so anything above our total was refunded at the gateway (e.g.
 * in Stripe's dashboard): recorded as a `succeeded` refund row of the difference, and the refunded total catches
 * up (never down, never above the order total). The row comes first and both statements carry the same
 * condition on the refunded total, so in the one transaction both apply or neither.
 */
function refundedAtGateway(
  db: Db,
  aggregate: OrderAggregate,
  amountRefunded: number,
  now: Date,
): Statement[] {
  const { order, payment } = aggregate
  const target = Math.min(order.totalAmount, amountRefunded)
  const behind = and(eq(orders.id, order.id), lt(orders.refundedAmount, target))
  const refundable = sql.join(
    REFUNDABLE.map((status) => sql`${status}`),
    sql`, `,
  )
  return [
    refundRowStatement(
      db,
      {
        id: randomId('rfd'),
        order,
        paymentId: payment!.id,
        amount: sql`${target} - (select ${orders.refundedAmount} from ${orders} where ${orders.id} = ${order.id})`,
        reason: 'refunded at the gateway',
      },
      { won: sql`exists (select 1 from ${orders} where ${behind})`, status: 'succeeded' },
      now,
    ),
    db
      .update(orders)
      .set({
        refundedAmount: target,
        status: sql`case when ${orders.status} in (${refundable}) then ${target === order.totalAmount ? 'refunded' : 'partially_refunded'} else ${orders.status} end`,
        transitionId: randomId('trn'),
        updatedAt: now,
      })
      .where(behind),
  ]
}

function intentIdOf(event: StripeEvent): string | undefined {
  if (event.type === 'charge.refunded') return chargeSchema.safeParse(event.data.object).data?.payment_intent
  return event.type.startsWith('payment_intent.') ? event.data.object.id : undefined
}

type EventEffects = { before: Statement[]; transitions: TransitionStatements[]; refundId?: string }

function effectsOf(db: Db, event: StripeEvent, aggregate: OrderAggregate | null, now: Date): EventEffects {
  const none = { before: [], transitions: [] }
  if (!aggregate?.payment) return none
  switch (event.type) {
    case 'payment_intent.succeeded':
      return succeeded(db, aggregate, now)
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled':
      return failed(db, aggregate, event.type, now)
    case 'charge.refunded': {
      const charge = chargeSchema.parse(event.data.object)
      return { before: refundedAtGateway(db, aggregate, charge.amount_refunded, now), transitions: [] }
    }
    default:
      return none
  }
}

/**
 * Applies one verified gateway event at most once: the event id is inserted in the same batch as its
 * transitions, so a replay (or a concurrent duplicate delivery) fails on the primary key and changes nothing.
 * A late payment's refund is sent right after; if the gateway fails, the cron job resends it.
 */
export async function handleStripeEvent(
  db: Db,
  gateway: PaymentGateway,
  event: StripeEvent,
  now = new Date(),
): Promise<{ duplicate: boolean }> {
  // One round trip: whether the event was seen, and the aggregate of the order its intent pays.
  const intentId = intentIdOf(event)
  const seenRead = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(eq(webhookEvents.id, event.id))
  let seen: { id: string }[]
  let aggregate: OrderAggregate | null = null
  if (intentId) {
    const [seenRows, orderRows, lines, paymentRows] = await db.batch([
      seenRead,
      ...aggregateForIntentReads(db, intentId),
    ])
    seen = seenRows
    const order = orderRows[0]
    aggregate = order ? { order, lines, payment: paymentRows[0] ?? null } : null
  } else {
    seen = await seenRead
  }
  if (seen[0]) return { duplicate: true }
  const effects = effectsOf(db, event, aggregate, now)
  let won: boolean[]
  try {
    won = await runTransitions(
      db,
      [
        db.insert(webhookEvents).values({ id: event.id, type: event.type, processedAt: now }),
        ...effects.before,
      ],
      effects.transitions,
    )
  } catch (error) {
    if (isUniqueViolation(error, 'webhook_events.id')) return { duplicate: true }
    throw error
  }
  // The late-payment transition is the second of payment_intent.succeeded's.
  if (effects.refundId && won[1]) await sendRefund(db, gateway, effects.refundId)
  return { duplicate: false }
}
