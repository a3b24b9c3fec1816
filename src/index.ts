import { createApp } from './app'
import type { Bindings } from './env'
import { runCommerceCron } from './features/orders'

const app = createApp()

export default {
  fetch: app.fetch,
  scheduled: async (controller, env, context) => {
    context.waitUntil(runCommerceCron(env, new Date(controller.scheduledTime)))
  },
} satisfies ExportedHandler<Bindings>
