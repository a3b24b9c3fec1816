import { getConfig } from '../../config'
import { createDb } from '../../db/client'
import { loggableError } from '../../db/errors'
import type { Bindings, MailQueueMessage } from '../../env'
import { enqueueMail } from './mail.dispatch'
import { deliverMail, dueMailIds } from './mail.service'
import { mailTransportFor } from './mail.transports'

/**
 * The mail queue consumer. Each message names an outbox row; the row's lease and status make delivery
 * idempotent, so a redelivered message sends nothing twice. Failures are recorded on the row (backoff, then
 * `dead`) and the message is acknowledged: the cron sweep, not the queue, owns retries.
 */
export async function handleMailQueue(batch: MessageBatch<MailQueueMessage>, env: Bindings): Promise<void> {
  const config = getConfig(env)
  const { db } = createDb(env)
  const transport = mailTransportFor(config)
  for (const message of batch.messages) {
    try {
      await deliverMail(db, transport, message.body.outboxId)
      message.ack()
    } catch (error) {
      // The database itself failed: let the queue redeliver later.
      console.error(JSON.stringify({ level: 'error', msg: 'mail consumer failed', ...loggableError(error) }))
      message.retry({ delaySeconds: 30 })
    }
  }
}

/** Cron: re-enqueue pending mail whose retry time has come (covers a lost enqueue or a failed send). */
export async function sweepMail(env: Bindings): Promise<number> {
  const config = getConfig(env)
  const { db } = createDb(env)
  const ids = await dueMailIds(db)
  await enqueueMail(env, config, db, ids)
  return ids.length
}
