import type { AuthUser } from '../../env'
import { definePolicy } from '../../http/policy'
import { requireAuth, requireRole } from '../../middleware/auth'
import { requireActiveSession, type SessionCheckTiming } from './active-session'

/** The caller behind signedIn(): a verified token whose session is live, with the role read from the database. */
export type SignedInUser = AuthUser & { sessionId: string }

/**
 * A signed-in caller: a valid bearer token (RFC 6750) whose session is still active; answers are
 * `Cache-Control: private, no-store`. Counted per user; a failed authentication is counted per IP.
 * On GET and HEAD the session check travels in the handler's first batch (`authenticatedBatch`, one round trip)
 * and is enforced before the answer leaves in any case (active-session.ts); a read that acts before it answers
 * (a WebSocket or event stream) passes `{ sessionCheck: 'before-handler' }`. Writes always check first.
 */
export function signedIn(options: { sessionCheck?: SessionCheckTiming } = {}) {
  return definePolicy<{ user: SignedInUser }>(
    { preset: 'signedIn', caller: 'signed-in', rateLimit: ['user'], cache: 'none' },
    [requireAuth(), requireActiveSession(options.sessionCheck ?? 'with-first-read')],
  )
}

/** signedIn() with the admin role, as the database has it now (OWASP API5: function-level authorization). */
export function admin() {
  return definePolicy<{ user: SignedInUser & { role: 'admin' } }>(
    { preset: 'admin', caller: 'admin', rateLimit: ['user'], cache: 'none' },
    [requireAuth(), requireActiveSession(), requireRole('admin')],
  )
}
