import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env'
import { bearerError } from '../../middleware/auth'
import { findActiveSession } from './sessions.service'

/**
 * After `requireAuth`: the token's session (`sid`) must still be active and its user must still exist.
 * Access tokens stay stateless everywhere else (catalog, edge caches); account and admin routes pay one indexed
 * query so that logout, "sign out other sessions", a password reset, account deletion or a demotion take effect
 * at once there (and within the 15-minute token lifetime everywhere else). The role is re-read from the database.
 */
export function requireActiveSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user')
    const session = user?.sessionId ? await findActiveSession(c.var.db, user.sessionId, user.id) : null
    if (!user || !session) {
      throw bearerError('The session has ended; sign in again', 'invalid_token')
    }
    c.set('user', { ...user, role: session.role })
    await next()
  }
}
