// Delivery of the live outbox (live.outbox.ts writes it): after a request, a cron run or an alarm, the pending rows
// go to their channels' Durable Objects and are deleted once stored; and the account-level calls to those objects.
import { asc, inArray } from 'drizzle-orm'
import type { MiddlewareHandler } from 'hono'
import type { Db } from '../../db/client'
import { loggableError } from '../../db/errors'
import { liveOutbox } from '../../db/schema'
import type { AppEnv, Bindings } from '../../env'
import { type Channel, channelName } from './live.events'
import { enableLive, liveStateOf } from './live.outbox'
import type { PublishItem } from './live.store'

const DELIVERY_BATCH = 500

/**
 * Delivers pending outbox rows to their channels' objects and deletes the rows each object confirmed. Safe to
 * run concurrently and repeatedly (the objects de-duplicate by outbox id). Returns the rows delivered.
 */
export async function deliverLiveOutbox(env: Bindings, db: Db): Promise<number> {
  const namespace = env.LIVE
  if (!namespace) return 0
  const rows = await db.select().from(liveOutbox).orderBy(asc(liveOutbox.id)).limit(DELIVERY_BATCH)
  if (rows.length === 0) return 0
  const byChannel = new Map<string, PublishItem[]>()
  for (const row of rows) {
    const items = byChannel.get(row.channel) ?? []
    items.push({ outboxId: row.id, event: row.event, data: row.data, occurredAt: row.occurredAt.getTime() })
    byChannel.set(row.channel, items)
  }
  const results = await Promise.allSettled(
    [...byChannel].map(([channel, items]) =>
      namespace.get(namespace.idFromName(channel)).publish(channel as Channel, items),
    ),
  )
  const stored = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []))
  for (const result of results) {
    if (result.status === 'rejected') {
      // The rows stay for the cron job; logged without their content.
      console.error(
        JSON.stringify({ level: 'error', msg: 'live delivery failed', ...loggableError(result.reason) }),
      )
    }
  }
  for (let index = 0; index < stored.length; index += 90) {
    await db.delete(liveOutbox).where(inArray(liveOutbox.id, stored.slice(index, index + 90)))
  }
  return stored.length
}

/** Delivers every pending row (the cron job's redelivery, and after a request that wrote some). */
export async function deliverAllLiveOutbox(env: Bindings, db: Db): Promise<number> {
  let total = 0
  for (let round = 0; round < 20; round++) {
    const delivered = await deliverLiveOutbox(env, db)
    total += delivered
    if (delivered < DELIVERY_BATCH) break
  }
  return total
}

/**
 * For /v1: marks the request's database as publishing when the LIVE binding exists, and after the response
 * delivers what the request's writes put in the outbox (nothing is delivered for a request that wrote none).
 */
export function livePublishing(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!enableLive(c.var.db, c.env)) return next()
    await next()
    if (!liveStateOf(c.var.db)?.wrote) return
    const env = c.env
    const db = c.var.db
    c.executionCtx.waitUntil(
      deliverAllLiveOutbox(env, db).catch((error) =>
        console.error(
          JSON.stringify({ level: 'error', msg: 'live delivery failed', ...loggableError(error) }),
        ),
      ),
    )
  }
}

/** Runs `work` with a database that publishes, then delivers what it wrote (cron runs, alarms). */
export async function deliverAfter<T>(env: Bindings, db: Db, work: () => Promise<T>): Promise<T> {
  enableLive(db, env)
  const result = await work()
  if (liveStateOf(db)?.wrote) await deliverAllLiveOutbox(env, db)
  return result
}

/** Account deletion: the user's channel object closes its sockets and erases its storage (GDPR Art. 17). */
export async function forgetUserChannel(db: Db, userId: string): Promise<void> {
  const namespace = liveStateOf(db)?.env.LIVE
  if (!namespace) return
  try {
    await namespace.get(namespace.idFromName(channelName.user(userId))).forget()
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'live forget failed', ...loggableError(error) }))
  }
}

/**
 * Closes a user's sockets with 4001 on the given channels, right away (awaited by the caller, after its commit):
 * for an account deletion (whose outbox rows would outlive the erased data) and a demotion (no session ends).
 * A failure is logged; the object's sockets then end at their next reconnect, which checks the session again.
 */
export async function closeUserSockets(db: Db, userId: string, channels: Channel[]): Promise<void> {
  const namespace = liveStateOf(db)?.env.LIVE
  if (!namespace) return
  const results = await Promise.allSettled(
    channels.map((channel) => namespace.get(namespace.idFromName(channel)).closeUsers([userId])),
  )
  for (const result of results) {
    if (result.status === 'rejected')
      console.error(
        JSON.stringify({ level: 'error', msg: 'live close failed', ...loggableError(result.reason) }),
      )
  }
}
