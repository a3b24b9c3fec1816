import { and, eq, isNotNull, isNull } from 'drizzle-orm'
import type { Config } from '../../config'
import type { Db } from '../../db/client'
import { recoveryCodes, securityEvents, totpFactors } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { randomRecoveryCode, sha256Hex } from '../../lib/secure-random'
import {
  type ClientInfo,
  matchingStep,
  newTotpSecret,
  openTotpSecret,
  reauthenticate,
  reauthenticateSecondFactor,
  sealTotpSecret,
  totpFor,
} from '../auth'
import { securityNoticeInsert } from '../mail'
import { getUser } from './me.service'

export const RECOVERY_CODE_COUNT = 10

/** Starts enrolment: a new secret, unconfirmed until a code from it is shown (replaces an unconfirmed one). */
export async function startTotp(db: Db, config: Config, userId: string) {
  const user = await getUser(db, userId)
  const secret = newTotpSecret()
  const sealed = await sealTotpSecret(secret, config.PASSWORD_PEPPER)
  const [factor] = await db
    .insert(totpFactors)
    .values({ userId, secret: sealed, createdAt: new Date() })
    .onConflictDoUpdate({
      target: totpFactors.userId,
      set: { secret: sealed, createdAt: new Date(), lastUsedStep: null },
      where: isNull(totpFactors.confirmedAt),
    })
    .returning({ userId: totpFactors.userId })
  if (!factor) {
    throw new ApiError(409, {
      title: 'Two-factor already on',
      detail: 'Turn two-factor off first to enrol a new authenticator',
    })
  }
  return { secret, otpauthUri: totpFor(secret, user.email).toString() }
}

/** Confirms enrolment with a first code; answers 10 fresh recovery codes (stored hashed, shown only now). */
export async function confirmTotp(db: Db, config: Config, userId: string, code: string) {
  const now = new Date()
  const [factor] = await db
    .select()
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNull(totpFactors.confirmedAt)))
  if (!factor)
    throw new ApiError(409, { title: 'Nothing to confirm', detail: 'Start with POST /v1/me/mfa/totp' })
  const secret = await openTotpSecret(factor.secret, config.PASSWORD_PEPPER)
  const step = matchingStep(secret, code, now.getTime())
  if (step === null) {
    throw new ApiError(422, {
      title: 'Wrong code',
      detail: 'The code does not match; check the device clock',
      errors: [{ pointer: '/body/code', detail: 'Wrong code' }],
    })
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomRecoveryCode)
  const hashes = await Promise.all(codes.map(sha256Hex))
  const user = await getUser(db, userId)
  const notice = securityNoticeInsert(db, user, 'Two-factor sign-in was turned on for your account.', now)
  const [confirmed] = await db.batch([
    db
      .update(totpFactors)
      .set({ confirmedAt: now, lastUsedStep: step })
      .where(
        and(
          eq(totpFactors.userId, userId),
          eq(totpFactors.secret, factor.secret),
          isNull(totpFactors.confirmedAt),
        ),
      )
      .returning({ userId: totpFactors.userId }),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ codeHash, userId, createdAt: now }))),
    db.insert(securityEvents).values({ id: randomId('sev'), userId, type: 'mfa_enabled', createdAt: now }),
    notice.statement,
  ])
  if (!confirmed[0])
    throw new ApiError(409, { title: 'Enrolment changed', detail: 'Start again with POST /v1/me/mfa/totp' })
  return { recoveryCodes: codes, outboxIds: [notice.id] }
}

/** Turns two-factor off: needs the password and a current code (TOTP or recovery), so a stolen session cannot. */
export async function disableTotp(
  db: Db,
  config: Config,
  userId: string,
  input: { password: string; code: string },
  client: ClientInfo,
) {
  const now = new Date()
  const user = await getUser(db, userId)
  await reauthenticate(db, config, user, { password: input.password, pointer: '/body/password' }, client, now)
  const [factor] = await db
    .select()
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
  if (!factor)
    throw new ApiError(404, { title: 'Two-factor is off', detail: 'There is no authenticator to remove' })
  await reauthenticateSecondFactor(db, config, user, { code: input.code, pointer: '/body/code' }, client, now)
  const notice = securityNoticeInsert(db, user, 'Two-factor sign-in was turned off for your account.', now)
  await db.batch([
    db.delete(totpFactors).where(eq(totpFactors.userId, userId)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db.insert(securityEvents).values({ id: randomId('sev'), userId, type: 'mfa_disabled', createdAt: now }),
    notice.statement,
  ])
  return [notice.id]
}
