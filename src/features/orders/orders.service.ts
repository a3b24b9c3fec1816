import { and, asc, desc, eq, lt } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { orders } from '../../db/schema'
import { bySeq, keysetPage } from '../../http/pagination'
import type { PaymentGateway } from '../payments'
import { cancelIntentQuietly, expireOrder } from './order-lifecycle'
import { loadAggregates, PAYMENT_WINDOW_MS, toOrder } from './order-views'

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

/**
 * The expiry job: cancels unpaid orders older than the payment window and releases their stock (the expire
 * transition, order-lifecycle.ts), then cancels their intents at the gateway. Returns how many it expired; an
 * order paid meanwhile is not one of them (its swap lost).
 */
export async function expireStalePendingOrders(
  db: Db,
  gateway: PaymentGateway,
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
    if (!(await expireOrder(db, aggregate, now))) continue
    expired++
    await cancelIntentQuietly(gateway, aggregate)
  }
  return expired
}
