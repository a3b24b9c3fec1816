import type { Db } from '../../src/db/client'

/**
 * What every test may use, in either runtime: `#harness` resolves to harness.workerd.ts (miniflare, D1) or
 * harness.node.ts (app.request, libSQL), and both `satisfies` this type, so a test written against one runs on
 * the other.
 */
export type Harness = {
  runtime: 'workerd' | 'node'
  /** The bindings and vars the app runs with (secrets included); tests read vars such as JWT_ISSUER from it. */
  env: object
  /** Real HTTP into the app; background work (`waitUntil`) has settled when the response is returned. */
  request: (path: string, init?: RequestInit) => Promise<Response>
  /** The same app with some bindings or vars swapped (e.g. a tiny rate limiter standing in for another). */
  requestWithEnv: (
    path: string,
    init: RequestInit | undefined,
    overrides: Record<string, unknown>,
  ) => Promise<Response>
  /** The app's own database, for arranging rows and checking what a request wrote. */
  db: () => Db
}
