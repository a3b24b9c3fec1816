import { type AppOptions, createApp } from './app'
import { loggableError } from './db/errors'
import type { Bindings, MailQueueMessage } from './env'
import { runIdentityMaintenance } from './features/auth'
import { runDiscoveryCron } from './features/books'
import { handleMailQueue, sweepMail } from './features/mail'
import { runCommerceCron } from './features/orders'

let app: ReturnType<typeof createApp> | undefined

/** The app is built on the first request, once the bindings say whether bench mode is on (BENCH_MODE). */
function appFor(env: Bindings): ReturnType<typeof createApp> {
  const options: AppOptions = { benchMode: (env as { BENCH_MODE?: string }).BENCH_MODE === 'true' }
  app ??= createApp(options)
  return app
}

export default {
  fetch: (request, env, context) => appFor(env).fetch(request, env, context),
  /** The mail outbox consumer (queue `folio-mail`). */
  queue: (batch, env) => handleMailQueue(batch, env),
  /**
   * Cron (wrangler.toml [triggers]): commerce jobs, re-enqueue due mail, drop expired identity rows, recompute
   * recommendations and prune search misses.
   */
  scheduled: async (controller, env, context) => {
    const jobs = {
      commerce: runCommerceCron(env, new Date(controller.scheduledTime)),
      mail: sweepMail(env),
      identity: runIdentityMaintenance(env),
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
} satisfies ExportedHandler<Bindings, MailQueueMessage>
