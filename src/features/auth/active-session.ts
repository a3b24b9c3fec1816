import type { Context, MiddlewareHandler } from 'hono'
import type { UserRow } from '../../db/schema'
import type { AppEnv } from '../../env'
import { bearerError } from '../../middleware/auth'
import { findActiveSession } from './sessions.service'

/**
 * After `requireAuth`: the token's session (`sid`) must still be active and its user must still exist.
 * Access tokens stay stateless everywhere else (catalog, edge caches); account and admin routes pay one indexed
 * query so that logout, "sign out other sessions", a password reset, account deletion or a demotion take effect
 * at once there (and within the 15-minute token lifetime everywhere else). The role is re-read from the database,
 * and the account row read with it is kept for the handler (`signedInAccount`), so /v1/me costs one query.
 */
export function requireActiveSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user')
    const account = user?.sessionId ? await findActiveSession(c.get('db'), user.sessionId, user.id) : null
    if (!user || !account) {
      throw bearerError('The session has ended; sign in again', 'invalid_token')
    }
    c.set('user', { ...user, role: account.role })
    c.set('account', account)
    await next()
  }
}

/** The caller's account row as the session check read it, behind signedIn() or admin(). */
export function signedInAccount(c: { get: Context<AppEnv>['get'] }): UserRow {
  const account = c.get('account')
  if (!account) throw new Error('signedInAccount() needs the signedIn() or admin() policy')
  return account
}
