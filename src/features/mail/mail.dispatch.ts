import type { Context } from 'hono'
import type { Config } from '../../config'
import { createDb, type Db } from '../../db/client'
import { loggableError } from '../../db/errors'
import type { AppEnv, Bindings } from '../../env'
import { deliverMail } from './mail.service'
import { mailTransportFor } from './mail.transports'

/**
 * After the batch that wrote the outbox rows has committed: hand their ids to the mail queue (or, where no queue
 * binding exists, as in the Node test project, deliver inline). Runs in `waitUntil`, so the response does not
 * wait; if it fails, the rows stay pending and the cron sweep enqueues them again.
 */
export function dispatchMail<E extends AppEnv>(c: Context<E>, outboxIds: string[]): void {
  if (outboxIds.length === 0) return
  // Background work on its own handle: the request's Server-Timing and log line count only the request's own
  // queries, whatever the delivery does (no difference a caller could time or count, e.g. on password reset).
  const db = c.env.MAIL_QUEUE ? c.var.db : createDb(c.env).db
  c.executionCtx.waitUntil(enqueueMail(c.env, c.var.config, db, outboxIds))
}

export async function enqueueMail(env: Bindings, config: Config, db: Db, outboxIds: string[]): Promise<void> {
  if (outboxIds.length === 0) return // Queue.sendBatch rejects an empty batch
  try {
    if (env.MAIL_QUEUE) {
      await env.MAIL_QUEUE.sendBatch(outboxIds.map((outboxId) => ({ body: { outboxId } })))
      return
    }
    const transport = mailTransportFor(config)
    for (const id of outboxIds) await deliverMail(db, transport, id)
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'warn',
        msg: 'mail enqueue failed; the sweep will retry',
        ...loggableError(error),
      }),
    )
  }
}
