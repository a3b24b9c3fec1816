import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { createApp } from '../../src/app'
import { createDb } from '../../src/db/client'
import type { Bindings } from '../../src/env'
import type { Harness } from './harness'

/** Test harness inside workerd: real HTTP through the Worker's fetch handler, real D1. */
export const harness = {
  runtime: 'workerd' as const,
  env: env as unknown as Bindings,
  request: (path: string, init?: RequestInit) => SELF.fetch(new URL(path, 'http://folio.test'), init),
  db: () => createDb(env as unknown as Bindings).db,
  /** The same app inside workerd with some bindings swapped (e.g. a tiny rate limiter standing in for another). */
  requestWithEnv: async (path: string, init: RequestInit | undefined, overrides: Record<string, unknown>) => {
    const context = createExecutionContext()
    const request = new Request(new URL(path, 'http://folio.test'), init)
    const response = await createApp().fetch(request, { ...env, ...overrides }, context)
    await waitOnExecutionContext(context)
    return response
  },
} satisfies Harness
