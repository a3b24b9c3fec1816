import { type AppOptions, createApp } from './app'
import type { Bindings } from './env'
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
  scheduled: async (controller, env, context) => {
    context.waitUntil(runCommerceCron(env, new Date(controller.scheduledTime)))
  },
} satisfies ExportedHandler<Bindings>
