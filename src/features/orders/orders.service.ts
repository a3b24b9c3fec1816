import { and, asc, desc, eq, lt, sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { loggableError } from '../../db/errors'
import { cartItems, type OrderRow, type OrderStatus, orders, payments } from '../../db/schema'
import type { AuthUser } from '../../env'
import { bySeq, keysetPage } from '../../http/pagination'
import { ApiError } from '../../http/problem'
import { chunks } from '../../lib/chunks'
import { auditStatement } from '../audit/audit.service'
import type { PaymentProvider } from '../payments/provider'
import { releaseStockStatements } from './inventory'
import { assertTransition } from './order-status'
import {
  loadAggregates,
  loadOrder,
  loadVisibleOrder,
  type OrderAggregate,
  PAYMENT_WINDOW_MS,
  toOrder,
} from './order-views'
import type { Order } from './orders.schemas'

type Line = { bookId: string; quantity: number }

type Caller = Pick<AuthUser, 'id' | 'role'>

/** A page of orders, newest first (seq is monotonic), with the next cursor. */
export async function pageOfOrders(db: Db, where: ReturnType<typeof and>, limit: number, cursor?: string) {
  const { rows, nextCursor } = await keysetPage(bySeq, { cursor, limit }, (after, take) =>
    db
      .select()
      .from(orders)
      .where(and(where, after && lt(orders.seq, after.i)))
      .orderBy(desc(orders.seq))
      .limit(take),
  )
  return { data: (await loadAggregates(db, rows)).map(toOrder), nextCursor }
}

export function listMyOrders(db: Db, userId: string, query: { limit: number; cursor?: string }) {
  return pageOfOrders(db, and(eq(orders.userId, userId)), query.limit, query.cursor)
}

export type TransitionInput = {
  aggregate: OrderAggregate
  to: OrderStatus
  action: string
  set?: Partial<OrderRow>
  releaseStock?: boolean
  actor?: Caller
  extra?: Statement[]
}

/**
 * Moves an order along its lifecycle in one batch: optional stock release (guarded by the old status), the
 * status change itself (compare-and-swap on the old status) and, for admins, the audit entry. A concurrent change
 * makes the swap miss; the release misses with it and the answer is 409.
 */
export async function applyTransition(db: Db, input: TransitionInput, now = new Date()): Promise<Order> {
  const { order, lines } = input.aggregate
  assertTransition(order, input.to, input.action)
  const releases = input.releaseStock ? releaseStockStatements(db, order.id, lines, order.status, now) : []
  const swap = db
    .update(orders)
    .set({ ...input.set, status: input.to, updatedAt: now })
    .where(and(eq(orders.id, order.id), eq(orders.status, order.status)))
    .returning()
  const audit =
    input.actor?.role === 'admin'
      ? [
          auditStatement(
            db,
            {
              actorId: input.actor.id,
              action: `order.${input.action}`,
              targetType: 'order',
              targetId: order.id,
              before: { status: order.status },
              after: { status: input.to, ...stringifyDates(input.set) },
            },
            now,
          ),
        ]
      : []
  const results = await runBatch(db, [...releases, swap, ...(input.extra ?? []), ...audit])
  const [updated] = results[releases.length] as OrderRow[]
  if (!updated) {
    throw new ApiError(409, {
      title: 'Order changed',
      detail: `Order ${order.id} changed while this request ran; fetch it and try again`,
    })
  }
  return toOrder(await loadOrder(db, order.id))
}

function stringifyDates(set: Partial<OrderRow> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(set ?? {}).map(([key, value]) => [
      key,
      value instanceof Date ? value.toISOString() : value,
    ]),
  )
}

/**
 * Undoes a checkout whose payment could not be set up (or whose book vanished): stock back, order cancelled,
 * payment failed and the cart lines restored, in one batch guarded by the order still awaiting payment.
 */
export async function abandonCheckout(
  db: Db,
  order: { orderId: string; userId: string; lines: Line[] },
  reason: string,
): Promise<void> {
  const now = new Date()
  await runBatch(db, [
    ...releaseStockStatements(db, order.orderId, order.lines, 'pending_payment', now),
    db
      .update(orders)
      .set({ status: 'cancelled', cancelReason: reason, cancelledAt: now, updatedAt: now })
      .where(and(eq(orders.id, order.orderId), eq(orders.status, 'pending_payment'))),
    db.update(payments).set({ status: 'failed', updatedAt: now }).where(eq(payments.orderId, order.orderId)),
    // Restored in chunks: D1 binds at most 100 parameters per statement.
    ...chunks(order.lines, 16).map((chunk) =>
      db
        .insert(cartItems)
        .values(chunk.map((line) => ({ ...line, userId: order.userId, createdAt: now, updatedAt: now })))
        .onConflictDoNothing(),
    ),
  ])
}

/** Cancels unpaid orders older than the payment window and releases their stock. Returns how many. */
export async function expireStalePendingOrders(
  db: Db,
  provider: PaymentProvider | null,
  now = new Date(),
): Promise<number> {
  const stale = await db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, 'pending_payment'),
        lt(orders.createdAt, new Date(now.getTime() - PAYMENT_WINDOW_MS)),
      ),
    )
    .orderBy(asc(orders.createdAt))
    .limit(100)
  let expired = 0
  for (const aggregate of await loadAggregates(db, stale)) {
    try {
      await applyTransition(
        db,
        {
          aggregate,
          to: 'cancelled',
          action: 'expire',
          set: { cancelReason: 'payment_timeout', cancelledAt: now },
          releaseStock: true,
          extra: [cancelPaymentStatement(db, aggregate.order.id, now)],
        },
        now,
      )
      expired++
      await cancelIntentQuietly(provider, aggregate)
    } catch (error) {
      // Paid in the meantime (a 409 from the compare-and-swap) is fine; the next run retries anything else.
      if (!(error instanceof ApiError)) throw error
    }
  }
  return expired
}

export const cancelPaymentStatement = (db: Db, orderId: string, now: Date) =>
  db
    .update(payments)
    .set({ status: 'canceled', updatedAt: now })
    .where(and(eq(payments.orderId, orderId), sql`${payments.status} IN ('creating', 'requires_payment')`))

/** Best effort: an intent left open at the gateway cannot be paid for a cancelled order anyway (the webhook refunds). */
export async function cancelIntentQuietly(provider: PaymentProvider | null, aggregate: OrderAggregate) {
  const intentId = aggregate.payment?.intentId
  if (!provider || !intentId || !aggregate.payment) return
  try {
    await provider.cancelIntent({ intentId, idempotencyKey: `${aggregate.payment.id}_cancel` })
  } catch (error) {
    // Nothing to undo locally; logged so a gateway outage is visible.
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'payment intent not cancelled at the gateway',
        orderId: aggregate.order.id,
        ...loggableError(error),
      }),
    )
  }
}

export async function getOrder(db: Db, id: string, caller: Caller): Promise<Order> {
  return toOrder(await loadVisibleOrder(db, id, caller))
}
