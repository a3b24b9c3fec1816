import { env, SELF } from 'cloudflare:test'
import { createDb } from '../../src/db/client'
import type { Bindings } from '../../src/env'

/** Test harness inside workerd: real HTTP through the Worker's fetch handler, real D1. */
export const harness = {
  runtime: 'workerd' as const,
  env: env as unknown as Bindings,
  request: (path: string, init?: RequestInit) => SELF.fetch(new URL(path, 'http://folio.test'), init),
  db: () => createDb(env as unknown as Bindings).db,
}
