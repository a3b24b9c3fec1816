// A checkout retried with its Idempotency-Key: the reads that find an earlier attempt's order, and the completion
// of an attempt whose answer was never stored (its isolate died after its batch).
import { and, eq, gt } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { orders } from '../../db/schema'
import { IDEMPOTENCY_TTL_MS } from '../../http/idempotency'
import { sha256Hex } from '../../lib/digest'
import { type CartLine, cartLines } from '../cart'
import type { PaymentGateway } from '../payments'
import { createGatewayIntent } from './checkout-intent'
import { loadOrder, toOrder } from './order-views'
import type { Order } from './orders.schemas'

/** The key under which an order remembers the Idempotency-Key that created it (checkout resume). */
export function checkoutKeyOf(userId: string, idempotencyKey: string): Promise<string> {
  return sha256Hex(`${userId}\n${idempotencyKey}`)
}

/**
 * A checkout's first reads as statements: an earlier attempt with this Idempotency-Key, and the cart. The handler
 * sends them in the key claim's batch and passes their results to `checkout` as `preloaded`.
 */
export async function checkoutReads(db: Db, userId: string, idempotencyKey: string) {
  const checkoutKey = await checkoutKeyOf(userId, idempotencyKey)
  return [attemptWithKey(db, userId, checkoutKey), cartLines(db, userId)] as const
}

export type CheckoutReadResults = readonly [{ id: string }[], CartLine[]]

/** The order an earlier attempt with this Idempotency-Key created (within the key's lifetime), as a query. */
export function attemptWithKey(db: Db, userId: string, checkoutKey: string) {
  return db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.checkoutKey, checkoutKey),
        eq(orders.userId, userId),
        gt(orders.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS)),
      ),
    )
}

/**
 * A retry that took over an abandoned Idempotency-Key (the first attempt's isolate died after its batch, before its
 * answer was stored) finds that attempt's order and completes it: the gateway intent is created if it was not
 * (the payment row's id is the gateway's idempotency key, so an intent created just before the crash is the one
 * returned), and the order is the answer.
 */
export async function resumeCheckout(
  db: Db,
  provider: PaymentGateway,
  userId: string,
  orderId: string,
): Promise<Order> {
  const aggregate = await loadOrder(db, orderId)
  const { order, payment, lines } = aggregate
  if (order.status === 'pending_payment' && payment && !payment.intentId) {
    return toOrder(
      await createGatewayIntent(db, provider, {
        orderId: order.id,
        userId,
        paymentId: payment.id,
        lines,
        total: order.totalAmount,
        currency: order.currency,
      }),
    )
  }
  return toOrder(aggregate)
}
