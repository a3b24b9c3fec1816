import { getConfig } from '../../config'
import { createDb } from '../../db/client'
import type { Bindings } from '../../env'
import { deleteExpiredIdempotencyKeys } from '../../http/idempotency'
import { paymentGatewayFor } from '../payments'
import { expireStalePendingOrders } from './orders.service'
import { retryDueRefunds } from './refunds.service'

/**
 * The commerce cron job (wrangler.toml `triggers.crons`): cancels orders unpaid for 30 minutes, releasing their
 * stock; resends every refund the gateway has not confirmed whose next attempt is due (including one reserved
 * but never sent because the process died); drops expired idempotency records. One call for the Worker's
 * `scheduled` handler.
 */
export async function runCommerceCron(env: Bindings, now = new Date()) {
  const { db } = createDb(env)
  const gateway = paymentGatewayFor(getConfig(env))
  const expiredOrders = await expireStalePendingOrders(db, gateway, now)
  const refunds = await retryDueRefunds(db, gateway, now)
  await deleteExpiredIdempotencyKeys(db, now)
  console.log(JSON.stringify({ level: 'info', msg: 'commerce cron', expiredOrders, ...refunds }))
  return { expiredOrders, ...refunds }
}
