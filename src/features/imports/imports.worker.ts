import { createDb } from '../../db/client'
import { loggableError } from '../../db/errors'
import type { Bindings, ImportQueueMessage } from '../../env'
import { deliverAfter } from '../live'
import { giveUpOnJob, processImportMessage } from './imports.service'

/** Attempts before a job is given up (wrangler.toml `max_retries` for folio-imports, plus the first delivery). */
const MAX_ATTEMPTS = 6

/**
 * The import queue consumer (queue `folio-imports`): each message is one step of one job (see
 * processImportMessage). A failure (the database or R2 unreachable) is retried with a delay; after the last
 * attempt the job is marked failed, so its status never stays "running" for ever.
 */
export async function handleImportQueue(
  batch: MessageBatch<ImportQueueMessage>,
  env: Bindings,
): Promise<void> {
  const { db } = createDb(env)
  const files = env.IMPORT_FILES
  const queue = env.IMPORT_QUEUE
  for (const message of batch.messages) {
    if (!files || !queue) {
      message.ack()
      continue
    }
    try {
      // Live events the step's writes put in the outbox are delivered once it has committed (features/live).
      await deliverAfter(env, db, () => processImportMessage(db, { files, queue }, message.body))
      message.ack()
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', msg: 'import step failed', ...loggableError(error) }))
      if (message.attempts >= MAX_ATTEMPTS) {
        await giveUpOnJob(db, message.body.jobId).catch(() => {})
        message.ack()
      } else message.retry({ delaySeconds: 2 ** message.attempts })
    }
  }
}
