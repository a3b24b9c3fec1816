import type { Context } from 'hono'
import { loggableError } from '../db/errors'

/**
 * Runs `work` after the response is sent (`executionCtx.waitUntil`), so the caller does not wait for it; a
 * failure is logged by name, never thrown at the client. Without an execution context (a bare `app.request`)
 * the work simply finishes on its own.
 */
export function runAfterResponse(c: Context, what: string, work: Promise<unknown>): void {
  const guarded = work.catch((error) =>
    console.error(JSON.stringify({ level: 'error', msg: `${what} failed`, ...loggableError(error) })),
  )
  try {
    c.executionCtx.waitUntil(guarded)
  } catch {
    // No execution context: nothing to extend.
  }
}
