import { type AppOptions, createApp } from './app'
import type { Bindings, MailQueueMessage } from './env'
import { runIdentityMaintenance } from './features/auth/maintenance'
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
  /** Cron (wrangler.toml [triggers]): commerce jobs, re-enqueue due mail, drop expired identity rows. */
  scheduled: async (controller, env, context) => {
    context.waitUntil(
      Promise.all([
        runCommerceCron(env, new Date(controller.scheduledTime)),
        sweepMail(env),
        runIdentityMaintenance(env),
      ]),
    )
  },
} satisfies ExportedHandler<Bindings, MailQueueMessage>
