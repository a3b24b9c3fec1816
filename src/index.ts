import { createApp } from './app'
import type { Bindings, MailQueueMessage } from './env'
import { runIdentityMaintenance } from './features/auth/maintenance'
import { handleMailQueue, sweepMail } from './features/mail'
import { runCommerceCron } from './features/orders'

const app = createApp()

export default {
  fetch: app.fetch,
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
