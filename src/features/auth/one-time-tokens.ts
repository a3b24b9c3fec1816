// The one-time tokens mailed for email verification and password reset: issued (only their SHA-256 hash is stored),
// counted per hour, spent once with a compare-and-swap, and revoked when the password or email changes.
import { and, count, eq, gt, inArray, isNull, type SQLWrapper } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type OneTimeTokenPurpose, oneTimeTokens } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomToken, sha256Hex } from '../../lib/secure-random'

export async function tokensSentLastHour(db: Db, userId: string, purpose: OneTimeTokenPurpose, now: Date) {
  const [recent] = await db
    .select({ total: count() })
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.userId, userId),
        eq(oneTimeTokens.purpose, purpose),
        gt(oneTimeTokens.createdAt, new Date(now.getTime() - 3_600_000)),
      ),
    )
  return recent?.total ?? 0
}

/** A fresh emailed token: the link carries it, the database keeps only its SHA-256 hash. */
export async function oneTimeTokenInsert(
  db: Db,
  values: { userId: string; email: string; purpose: OneTimeTokenPurpose; ttlMs: number; now: Date },
) {
  const token = randomToken(32)
  const statement = db.insert(oneTimeTokens).values({
    tokenHash: await sha256Hex(token),
    userId: values.userId,
    purpose: values.purpose,
    email: values.email,
    createdAt: values.now,
    expiresAt: new Date(values.now.getTime() + values.ttlMs),
  })
  return { token, statement }
}

/**
 * Spends every outstanding reset and verification token of the user, for the batch of a password or email
 * change: a link mailed before the change (perhaps to an address the user just left) must not work after it
 * (OWASP Forgot Password Cheat Sheet; ASVS 2.5.x). `user` is an id or a subquery yielding it.
 */
export function revokeEmailedTokens(db: Db, user: string | SQLWrapper, now: Date) {
  const owner =
    typeof user === 'string' ? eq(oneTimeTokens.userId, user) : inArray(oneTimeTokens.userId, user)
  return db
    .update(oneTimeTokens)
    .set({ usedAt: now })
    .where(and(owner, isNull(oneTimeTokens.usedAt)))
}

export const invalidToken = () =>
  new ApiError(400, {
    title: 'Invalid or expired token',
    detail: 'The link is invalid, expired or already used; ask for a new one',
    errors: [{ pointer: '/body/token', detail: 'Invalid, expired or already used' }],
  })

/** Spends a token with a compare-and-swap; returns the statement and a subquery of its user for the same batch. */
export async function spendToken(db: Db, token: string, purpose: OneTimeTokenPurpose, now: Date) {
  const tokenHash = await sha256Hex(token)
  const spend = db
    .update(oneTimeTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(oneTimeTokens.tokenHash, tokenHash),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, now),
      ),
    )
    .returning({ userId: oneTimeTokens.userId, email: oneTimeTokens.email })
  const spentBy = (column: typeof oneTimeTokens.userId | typeof oneTimeTokens.email) =>
    db
      .select({ value: column })
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.tokenHash, tokenHash), eq(oneTimeTokens.usedAt, now)))
  return { spend, spentBy }
}
