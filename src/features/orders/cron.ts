import { eq } from 'drizzle-orm'
import { getConfig } from '../../config'
import { createDb } from '../../db/client'
import { orders } from '../../db/schema'
import type { Bindings } from '../../env'
import { deleteExpiredIdempotencyKeys } from '../../http/idempotency'
import { deliverAfter } from '../live'
import { paymentGatewayFor } from '../payments'
import { cancelIntentQuietly, expireOrder } from './order-lifecycle'
import { loadAggregates } from './order-views'
import { expireStalePendingOrders } from './orders.service'
import { retryDueRefunds } from './refunds.service'

/**
 * The commerce cron job (wrangler.toml `triggers.crons`): cancels orders unpaid for 30 minutes, releasing their
 * stock; resends every refund the gateway has not confirmed whose next attempt is due (including one reserved
 * but never sent because the process died); drops expired idempotency records. One call for the Worker's
 * `scheduled` handler. Live events its writes cause are delivered before it returns.
 */
export async function runCommerceCron(env: Bindings, now = new Date()) {
  const { db } = createDb(env)
  const gateway = paymentGatewayFor(getConfig(env))
  return deliverAfter(env, db, async () => {
    const expiredOrders = await expireStalePendingOrders(db, gateway, now)
    const refunds = await retryDueRefunds(db, gateway, now)
    await deleteExpiredIdempotencyKeys(db, now)
    console.log(JSON.stringify({ level: 'info', msg: 'commerce cron', expiredOrders, ...refunds }))
    return { expiredOrders, ...refunds }
  })
}

/**
 * An unpaid order's expiry on time (the Durable Object alarm on its owner's live channel, at `expiresAt`): the
 * same transition the cron runs, so whichever comes first wins and the other changes nothing. True if it expired
 * the order now.
 */
export async function expireOrderOnTime(env: Bindings, orderId: string, now = new Date()): Promise<boolean> {
  const { db } = createDb(env)
  const gateway = paymentGatewayFor(getConfig(env))
  return deliverAfter(env, db, async () => {
    const rows = await db.select().from(orders).where(eq(orders.id, orderId))
    const [aggregate] = await loadAggregates(db, rows)
    if (aggregate?.order.status !== 'pending_payment') return false
    if (!(await expireOrder(db, aggregate, now))) return false
    await cancelIntentQuietly(gateway, aggregate)
    return true
  })
}
