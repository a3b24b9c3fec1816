import { getConfig } from '../../config'
import { createDb } from '../../db/client'
import type { Bindings } from '../../env'
import { deleteExpiredIdempotencyKeys } from '../../http/idempotency'
import { paymentProviderFor } from '../payments'
import { expireStalePendingOrders } from './orders.service'

/**
 * The commerce cron job (wrangler.toml `triggers.crons`): cancels orders unpaid for 30 minutes, releasing their
 * stock, and drops expired idempotency records. One call for the Worker's `scheduled` handler.
 */
export async function runCommerceCron(env: Bindings, now = new Date()): Promise<{ expiredOrders: number }> {
  const { db } = createDb(env)
  const expiredOrders = await expireStalePendingOrders(db, paymentProviderFor(getConfig(env)), now)
  await deleteExpiredIdempotencyKeys(db, now)
  console.log(JSON.stringify({ level: 'info', msg: 'commerce cron', expiredOrders }))
  return { expiredOrders }
}
