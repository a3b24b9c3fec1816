import { and, eq, exists, gt, isNull, type SQL, sql } from 'drizzle-orm'
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch'
import type { Context, MiddlewareHandler } from 'hono'
import type { UserRow } from '../../db/schema'
import { sessions } from '../../db/schema'
import type { AppEnv, AuthUser } from '../../env'
import { bearerError } from '../../middleware/auth'
import { activeSessionQuery } from './sessions.service'

/**
 * When the session check runs: before the handler; (signed-in reads) in the handler's first batch; or
 * (`guarded-write`, a write route that opts in) in the batch of a write whose statements carry `sessionGuard`.
 */
export type SessionCheckTiming = 'before-handler' | 'with-first-read' | 'guarded-write'

/** A session check not yet run: its statement, and whether its result has been seen. */
export type PendingSessionCheck = {
  statement: ReturnType<typeof activeSessionQuery>
  tokenRole: AuthUser['role']
  /** The instant the check (and any `sessionGuard`) compares the session's expiry with. */
  now: Date
  settled: boolean
}

/** A handler's context behind signedIn() or admin() (its Variables narrow AppEnv's). */
// biome-ignore lint/suspicious/noExplicitAny: any route's context; the helpers read only AppEnv's variables
type AnyContext = Context<any, any, any>

const sessionEnded = () => bearerError('The session has ended; sign in again', 'invalid_token')

/** Applies a session check's rows: the role and account as the database has them now, or the RFC 6750 401. */
function settle(
  c: Context<AppEnv>,
  pending: PendingSessionCheck,
  rows: Awaited<PendingSessionCheck['statement']>,
): UserRow {
  const account = rows[0]?.user
  const user = c.get('user')
  if (!user || !account) throw sessionEnded()
  pending.settled = true
  c.set('user', { ...user, role: account.role })
  c.set('account', account)
  return account
}

/**
 * After `requireAuth`: the token's session (`sid`) must still be active and its user must still exist.
 * Access tokens stay stateless everywhere else (catalog, edge caches); account and admin routes check the session
 * so that logout, "sign out other sessions", a password reset, account deletion or a demotion take effect at once
 * there (and within the 15-minute token lifetime everywhere else). The role is re-read from the database, and
 * the account row read with it is kept for the handler (`signedInAccount`).
 *
 * Wherever the check travels, a revoked session is refused on the very request (OWASP ASVS 4.0 V3.3.1: logout and
 * revocation invalidate the session at once, not at the token's expiry).
 *
 * `with-first-read` (signedIn() on GET and HEAD): a read changes nothing, so its check may travel in the
 * handler's first batch (`authenticatedBatch`), and the read costs one round trip. Whatever the handler does, no
 * answer leaves unchecked: if the handler never called `authenticatedBatch`, the check runs after it, and a
 * revoked session gets the 401 instead of the answer (its work discarded). That fallback also refuses a token
 * whose role the database no longer has, since such a handler may have decided with the token's role. Writes,
 * WebSocket and event-stream routes (which act before they answer) check before the handler.
 *
 * `guarded-write`: a write route whose every write carries `sessionGuard(c)` in its condition and goes out in an
 * `authenticatedBatch` with the check. D1 and libSQL run a batch as one transaction, so the guard and the check
 * see the same session row: a revoked session writes nothing and gets the 401 from the check. (Only routes whose
 * tests prove "a revoked session changes nothing" opt in; the check after the handler is a backstop.)
 */
export function requireActiveSession(
  timing: SessionCheckTiming = 'before-handler',
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user')
    if (!user?.sessionId) throw sessionEnded()
    const now = new Date()
    const statement = activeSessionQuery(c.get('db'), user.sessionId, user.id, now)
    const pending: PendingSessionCheck = { statement, tokenRole: user.role, now, settled: false }
    const read = c.req.method === 'GET' || c.req.method === 'HEAD'
    if (timing === 'before-handler' || (timing === 'with-first-read' && !read)) {
      settle(c, pending, await statement)
      await next()
      return
    }
    c.set('sessionCheck', pending)
    await next()
    if (pending.settled) return
    // The handler read nothing through authenticatedBatch: check now, before its answer is sent.
    const account = settle(c, pending, await statement)
    if (account.role !== pending.tokenRole) throw sessionEnded()
  }
}

/**
 * `db.batch(reads)` for a handler behind signedIn() or admin(), with the request's pending session check sent
 * first in the same batch (one snapshot, one round trip). The check's result is applied before any read's rows are
 * returned: a revoked session throws the 401 here, and `c.var.user.role` is the database's from here on. Without a
 * pending check (it already ran before the handler), just the batch.
 */
export async function authenticatedBatch<const T extends readonly BatchItem<'sqlite'>[]>(
  context: AnyContext,
  reads: T,
): Promise<BatchResponse<T>> {
  const c = context as Context<AppEnv>
  const db = c.get('db')
  const pending = c.get('sessionCheck')
  if (!pending || pending.settled) {
    const [first, ...rest] = reads
    return (first ? await db.batch([first, ...rest]) : []) as BatchResponse<T>
  }
  const [check, ...results] = (await db.batch([pending.statement, ...reads])) as unknown[]
  settle(c, pending, check as Awaited<PendingSessionCheck['statement']>)
  return results as BatchResponse<T>
}

/**
 * The condition that makes a write apply only while the caller's session is active (the same test as the session
 * check, at the same instant), for routes with `guarded-write` (see requireActiveSession).
 */
export function sessionGuard(context: AnyContext): SQL {
  const c = context as Context<AppEnv>
  const user = c.get('user')
  const pending = c.get('sessionCheck')
  if (!user?.sessionId || !pending)
    throw new Error('sessionGuard() needs signedIn({ sessionCheck: "guarded-write" })')
  return exists(
    c
      .get('db')
      .select({ one: sql`1` })
      .from(sessions)
      .where(
        and(
          eq(sessions.id, user.sessionId),
          eq(sessions.userId, user.id),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, pending.now),
        ),
      ),
  )
}

/** The caller's account row as the session check read it, behind signedIn() or admin(). */
export function signedInAccount(c: { get: Context<AppEnv>['get'] }): UserRow {
  const account = c.get('account')
  if (!account) throw new Error('signedInAccount() needs the signedIn() or admin() policy')
  return account
}

/** The caller's account behind signedIn() or admin(), running a pending session check on its own if need be. */
export async function checkedAccount(context: AnyContext): Promise<UserRow> {
  const c = context as Context<AppEnv>
  const pending = c.get('sessionCheck')
  if (pending && !pending.settled) await authenticatedBatch(c, [])
  return signedInAccount(c)
}
