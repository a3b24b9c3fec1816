import { createApp } from './app'
import type { Bindings, MailQueueMessage } from './env'
import { runIdentityMaintenance } from './features/auth/maintenance'
import { handleMailQueue, sweepMail } from './features/mail'

const app = createApp()

export default {
  fetch: app.fetch,
  /** The mail outbox consumer (queue `folio-mail`). */
  queue: (batch, env) => handleMailQueue(batch, env),
  /** Cron (wrangler.toml [triggers]): re-enqueue due mail, drop expired identity rows. */
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(Promise.all([sweepMail(env), runIdentityMaintenance(env)]))
  },
} satisfies ExportedHandler<Bindings, MailQueueMessage>
