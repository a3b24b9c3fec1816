import { and, count, eq, gt, inArray, min } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type LoginOutcome, loginAttempts } from '../../db/schema'
import { ApiError } from '../../http/problem'
import type { ClientInfo } from './client-info'

/**
 * Brute-force limits counted in D1 (OWASP ASVS 2.2.1, OWASP API4): failed logins (wrong password or wrong MFA
 * code) per account and per IP in a sliding window. Counting per email, not per user, keeps the answer identical
 * for unknown emails (no enumeration through the lockout either). A lockout only delays: it ends by itself.
 * Password and code re-checks of signed-in users count here too (src/features/auth/reauthentication.ts).
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000
export const MAX_FAILURES_PER_ACCOUNT = 5
export const MAX_FAILURES_PER_IP = 30
const FAILURES: LoginOutcome[] = ['bad_credentials', 'mfa_failed', 'reauth_failed']

async function failuresSince(
  db: Db,
  column: typeof loginAttempts.email | typeof loginAttempts.ip,
  value: string,
  since: Date,
) {
  const [row] = await db
    .select({ failures: count(), oldest: min(loginAttempts.createdAt) })
    .from(loginAttempts)
    .where(
      and(eq(column, value), gt(loginAttempts.createdAt, since), inArray(loginAttempts.outcome, FAILURES)),
    )
  return { failures: row?.failures ?? 0, oldest: row?.oldest ?? null }
}

/** Throws 429 with Retry-After (RFC 9110 §10.2.3) when the account or the IP is past its limit. */
export async function assertLoginAllowed(
  db: Db,
  email: string,
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS)
  const [account, address] = await Promise.all([
    failuresSince(db, loginAttempts.email, email, since),
    failuresSince(db, loginAttempts.ip, client.ip, since),
  ])
  const blocked = [
    account.failures >= MAX_FAILURES_PER_ACCOUNT ? account.oldest : null,
    address.failures >= MAX_FAILURES_PER_IP ? address.oldest : null,
  ].filter((oldest): oldest is Date => oldest !== null)
  if (blocked.length === 0) return
  const until = Math.max(...blocked.map((oldest) => oldest.getTime() + THROTTLE_WINDOW_MS))
  const retryAfter = Math.max(1, Math.ceil((until - now.getTime()) / 1000))
  await loginAttemptInsert(db, { email, userId: null, outcome: 'locked', client, now })
  throw new ApiError(429, {
    title: 'Too many failed sign-ins',
    detail: `Too many failed attempts; try again in ${retryAfter} seconds`,
    headers: { 'Retry-After': String(retryAfter) },
  })
}

function clientColumns(client: ClientInfo) {
  return { ip: client.ip, userAgent: client.userAgent, device: client.device, country: client.country }
}

export function loginAttemptInsert(
  db: Db,
  attempt: { email: string; userId: string | null; outcome: LoginOutcome; client: ClientInfo; now: Date },
) {
  return db.insert(loginAttempts).values({
    email: attempt.email,
    userId: attempt.userId,
    outcome: attempt.outcome,
    ...clientColumns(attempt.client),
    createdAt: attempt.now,
  })
}
