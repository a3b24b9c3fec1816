import type { Config } from '../../config'
import type { Db } from '../../db/client'
import { securityEvents, type UserRow } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { verifyPassword } from '../../lib/password'
import type { ClientInfo } from './client-info'
import { releaseAttempt, reserveAttempt } from './login-throttle'
import { spendSecondFactor } from './totp'

type Account = Pick<UserRow, 'id' | 'email' | 'passwordHash'>

/** A failed re-check: its reserved attempt stays a login failure (for the lockout); the user sees an event. */
async function recordFailure(db: Db, account: Account, client: ClientInfo, now: Date) {
  await db.insert(securityEvents).values({
    id: randomId('sev'),
    userId: account.id,
    type: 'reauthentication_failed',
    ...client,
    createdAt: now,
  })
}

/** Reserves the attempt against the login limits (429 while locked), counted as a failure until it succeeds. */
const reserve = (db: Db, account: Account, client: ClientInfo, now: Date) =>
  reserveAttempt(db, { email: account.email, userId: account.id, outcome: 'reauth_failed', client, now })

/**
 * Re-authentication for sensitive changes (OWASP ASVS 3.7.1), throttled like sign-in (ASVS 2.2.1): a stolen
 * access token must not buy unlimited password guesses. The re-check first reserves an attempt against the
 * login lockout of the account and the IP (429 with Retry-After while locked, even with the right password); a
 * wrong password leaves that reservation as a login failure, then is answered 403 with the field at `pointer`.
 */
export async function reauthenticate(
  db: Db,
  config: Config,
  account: Account,
  input: { password: string; pointer: string },
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const attempt = await reserve(db, account, client, now)
  if (await verifyPassword(input.password, account.passwordHash, config.PASSWORD_PEPPER)) {
    await releaseAttempt(db, attempt)
    return
  }
  await recordFailure(db, account, client, now)
  throw new ApiError(403, {
    title: 'Wrong password',
    detail: 'The password is incorrect',
    errors: [{ pointer: input.pointer, detail: 'Incorrect' }],
  })
}

/** After `reauthenticate`: spends a TOTP or recovery code; a wrong one counts as a failure too, then 403. */
export async function reauthenticateSecondFactor(
  db: Db,
  config: Config,
  account: Account,
  input: { code: string; pointer: string },
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const attempt = await reserve(db, account, client, now)
  if (await spendSecondFactor(db, config.PASSWORD_PEPPER, account.id, input.code, now)) {
    await releaseAttempt(db, attempt)
    return
  }
  await recordFailure(db, account, client, now)
  throw new ApiError(403, {
    title: 'Invalid code',
    detail: 'The code is wrong, expired or already used',
    errors: [{ pointer: input.pointer, detail: 'Invalid' }],
  })
}
