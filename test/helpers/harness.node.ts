import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/libsql'
import { inject } from 'vitest'
import { createApp } from '../../src/app.ts'
import { type Db, getLibsqlClient } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema/index.ts'
import type { Harness } from './harness.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    secrets: Record<string, string>
  }
}

const directory = join(tmpdir(), 'folio-tests')
mkdirSync(directory, { recursive: true })
const env = { ...inject('secrets'), LIBSQL_URL: `file:${join(directory, `${randomUUID()}.db`)}` }
const app = createApp()

/** Background work (`waitUntil`) is awaited before the response is handed back, as tests expect. */
function executionContext() {
  const pending: Promise<unknown>[] = []
  return {
    context: {
      waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
      passThroughOnException: () => {},
      props: {},
    },
    settle: () => Promise.allSettled(pending),
  }
}

/** Test harness in Node: the same app, called through app.request, on a real libSQL file. */
export const harness = {
  runtime: 'node' as const,
  env,
  request: async (path: string, init?: RequestInit) => {
    const { context, settle } = executionContext()
    const response = await app.request(path, init, env, context as unknown as ExecutionContext)
    await settle()
    return response
  },
  /** The same app with some bindings or vars swapped. */
  requestWithEnv: async (path: string, init: RequestInit | undefined, overrides: Record<string, unknown>) => {
    const { context, settle } = executionContext()
    const response = await app.request(
      path,
      init,
      { ...env, ...overrides },
      context as unknown as ExecutionContext,
    )
    await settle()
    return response
  },
  db: (): Db => drizzle(getLibsqlClient(env.LIBSQL_URL), { schema }) as unknown as Db,
} satisfies Harness
