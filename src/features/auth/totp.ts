import { and, eq, isNotNull, isNull, lt, or, type SQL } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import type { Db } from '../../db/client'
import { recoveryCodes, totpFactors } from '../../db/schema'
import { open, seal } from '../../lib/secret-box'
import { normalizeRecoveryCode, sha256Hex } from '../../lib/secure-random'

/** RFC 6238 parameters every authenticator app supports: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD = 30

export function totpFor(secret: string, label = 'Folio account') {
  return new TOTP({
    issuer: 'Folio',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(secret),
  })
}

/** TOTP seeds are stored sealed (AES-GCM, key derived from the server secret): see src/lib/secret-box.ts. */
export const sealTotpSecret = (secret: string, serverSecret: string) =>
  seal(secret, serverSecret, 'totp-secret')
export const openTotpSecret = (sealed: string, serverSecret: string) =>
  open(sealed, serverSecret, 'totp-secret')

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The time step a code matches (within ±1 step for clock drift, RFC 6238 §5.2), or null. */
export function matchingStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const delta = totpFor(secret).validate({ token: code, timestamp: now, window: 1 })
  if (delta === null) return null
  return Math.floor(now / 1000 / TOTP_PERIOD) + delta
}

/**
 * Accepts a TOTP code at most once: the compare-and-swap moves `last_used_step` forward only past the last
 * accepted step, so a replayed (or an older) code fails even inside its validity window (RFC 6238 §5.2).
 */
export async function spendTotpCode(
  db: Db,
  serverSecret: string,
  userId: string,
  code: string,
  now = new Date(),
): Promise<boolean> {
  const [factor] = await db
    .select()
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
  if (!factor) return false
  const step = matchingStep(await openTotpSecret(factor.secret, serverSecret), code, now.getTime())
  if (step === null) return false
  const [won] = await db
    .update(totpFactors)
    .set({ lastUsedStep: step })
    .where(
      and(
        eq(totpFactors.userId, userId),
        or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, step)),
      ),
    )
    .returning({ userId: totpFactors.userId })
  return Boolean(won)
}

/** Spends a recovery code with a compare-and-swap on `used_at`: each code works once, a lost race fails. */
export async function spendRecoveryCode(
  db: Db,
  userId: string,
  code: string,
  now = new Date(),
): Promise<boolean> {
  const codeHash = await sha256Hex(normalizeRecoveryCode(code))
  const [spent] = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, codeHash),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ codeHash: recoveryCodes.codeHash })
  return Boolean(spent)
}

/** The account's confirmed TOTP factor, if any, as a query (a sign-in batches it with its other reads). */
export function confirmedTotp(db: Db, userId: string | SQL) {
  return db
    .select({ userId: totpFactors.userId })
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
}

/** A second factor check: a 6-digit TOTP code, or else a recovery code. Reports which one was used. */
export async function spendSecondFactor(
  db: Db,
  serverSecret: string,
  userId: string,
  code: string,
  now = new Date(),
) {
  const trimmed = code.trim()
  if (/^\d{6}$/.test(trimmed))
    return (await spendTotpCode(db, serverSecret, userId, trimmed, now)) ? 'totp' : null
  return (await spendRecoveryCode(db, userId, trimmed, now)) ? 'recovery_code' : null
}
