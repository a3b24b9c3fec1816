import { DurableObject } from 'cloudflare:workers'
import { type AppOptions, createApp, GLOBAL_MIDDLEWARE, type GlobalMiddleware } from './app'
import { createDb } from './db/client'
import { loggableError } from './db/errors'
import type { Bindings, ImportQueueMessage, MailQueueMessage } from './env'
import { runIdentityMaintenance } from './features/auth'
import { runDiscoveryCron } from './features/books'
import { sweepOrphanCovers } from './features/covers'
import { handleImportQueue, resumeStalledImports } from './features/imports'
import { deliverAllLiveOutbox, liveChannelClass } from './features/live'
import { handleMailQueue, sweepMail } from './features/mail'
import { expireOrderOnTime, runCommerceCron } from './features/orders'

/**
 * Folio Live's channel object (wrangler.toml `LIVE`): the live feature's object, with its timers wired to the
 * features they belong to. An unpaid order's expiry fires on its owner's channel at `expiresAt` and runs the
 * cron's own expiry transition (the cron stays as the safety net).
 */
export class LiveChannel extends liveChannelClass(DurableObject) {
  override async runTimer(key: string): Promise<void> {
    const [kind, id] = key.split(':')
    if (kind === 'expire' && id) await expireOrderOnTime(this.env, id)
  }
}

let app: ReturnType<typeof createApp> | undefined

/** The app is built on the first request, once the bindings say whether bench mode is on (BENCH_MODE). */
function appFor(env: Bindings): ReturnType<typeof createApp> {
  const bench = env as { BENCH_MODE?: string; BENCH_SKIP_MIDDLEWARE?: string }
  const options: AppOptions = {
    benchMode: bench.BENCH_MODE === 'true',
    skipMiddleware: bench.BENCH_SKIP_MIDDLEWARE?.split(',').filter((name): name is GlobalMiddleware =>
      (GLOBAL_MIDDLEWARE as readonly string[]).includes(name),
    ),
  }
  app ??= createApp(options)
  return app
}

export default {
  fetch: (request, env, context) => appFor(env).fetch(request, env, context),
  /** Queue consumers, by queue name (wrangler.toml): the mail outbox (`folio-mail`), catalogue imports (`folio-imports`). */
  queue: (batch, env) =>
    batch.queue === 'folio-imports'
      ? handleImportQueue(batch as MessageBatch<ImportQueueMessage>, env)
      : handleMailQueue(batch as MessageBatch<MailQueueMessage>, env),
  /**
   * Cron (wrangler.toml [triggers]): commerce jobs, re-enqueue due mail, drop expired identity rows, sweep orphan
   * covers, recompute recommendations and prune search misses.
   */
  scheduled: async (controller, env, context) => {
    const jobs = {
      commerce: runCommerceCron(env, new Date(controller.scheduledTime)),
      mail: sweepMail(env),
      identity: runIdentityMaintenance(env),
      // Live events left in the outbox (a delivery that failed after its commit) are delivered again.
      live: deliverAllLiveOutbox(env, createDb(env).db),
      covers: sweepOrphanCovers(env, new Date(controller.scheduledTime)),
      // Imports whose queue message was lost (a crash between steps) are re-kicked; after 24 h they fail.
      imports: resumeStalledImports(env, new Date(controller.scheduledTime)),
      discovery: runDiscoveryCron(env, new Date(controller.scheduledTime)),
    }
    // Independent jobs: one failing must neither stop nor hide the others.
    context.waitUntil(
      Promise.allSettled(Object.values(jobs)).then((results) =>
        results.forEach((result, index) => {
          if (result.status === 'rejected') {
            const job = Object.keys(jobs)[index]
            console.error(
              JSON.stringify({
                level: 'error',
                msg: 'cron job failed',
                job,
                ...loggableError(result.reason),
              }),
            )
          }
        }),
      ),
    )
  },
} satisfies ExportedHandler<Bindings, MailQueueMessage | ImportQueueMessage>
