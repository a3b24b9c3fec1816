import { createApp } from './app'
import type { Bindings, MailQueueMessage } from './env'
import { pruneLoginAttempts } from './features/auth/maintenance'
import { handleMailQueue, sweepMail } from './features/mail'

const app = createApp()

export default {
  fetch: app.fetch,
  /** The mail outbox consumer (queue `folio-mail`). */
  queue: (batch, env) => handleMailQueue(batch, env),
  /** Cron (wrangler.toml [triggers]): re-enqueue due mail, drop old login attempts. */
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(Promise.all([sweepMail(env), pruneLoginAttempts(env)]))
  },
} satisfies ExportedHandler<Bindings, MailQueueMessage>
