import { and, count, eq, gt, inArray, min, sql } from 'drizzle-orm'
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

/** Seconds until the account's and the IP's windows let an attempt through again, or null when they do now. */
async function lockedFor(db: Db, email: string, client: ClientInfo, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS)
  const [account, address] = await Promise.all([
    failuresSince(db, loginAttempts.email, email, since),
    failuresSince(db, loginAttempts.ip, client.ip, since),
  ])
  const blocked = [
    account.failures >= MAX_FAILURES_PER_ACCOUNT ? account.oldest : null,
    address.failures >= MAX_FAILURES_PER_IP ? address.oldest : null,
  ].filter((oldest): oldest is Date => oldest !== null)
  if (blocked.length === 0) return null
  const until = Math.max(...blocked.map((oldest) => oldest.getTime() + THROTTLE_WINDOW_MS))
  return Math.max(1, Math.ceil((until - now.getTime()) / 1000))
}

/** 429 with Retry-After (RFC 9110 §10.2.3), the refusal itself recorded. */
async function refuse(
  db: Db,
  email: string,
  client: ClientInfo,
  now: Date,
  retryAfter: number,
): Promise<never> {
  await loginAttemptInsert(db, { email, userId: null, outcome: 'locked', client, now })
  throw new ApiError(429, {
    title: 'Too many failed sign-ins',
    detail: `Too many failed attempts; try again in ${retryAfter} seconds`,
    headers: { 'Retry-After': String(retryAfter) },
  })
}

/**
 * Reserves one attempt against the limits before the password or code is checked, and returns its row id; 429
 * with Retry-After when the account or the IP is past its limit. The reservation is written as the failure it
 * becomes unless `releaseAttempt` clears it, by one conditional INSERT … SELECT that counts the window, so
 * parallel guesses cannot all pass one stale count (check and record are one atomic statement; OWASP ASVS
 * 2.2.1). A crash between the two leaves a failure: the safe side.
 */
export async function reserveAttempt(
  db: Db,
  attempt: { email: string; userId: string | null; outcome: LoginOutcome; client: ClientInfo; now: Date },
): Promise<number> {
  const { email, client, now } = attempt
  const since = now.getTime() - THROTTLE_WINDOW_MS
  const failures = (column: typeof loginAttempts.email | typeof loginAttempts.ip, value: string) =>
    sql`(SELECT count(*) FROM ${loginAttempts} WHERE ${column} = ${value} AND ${loginAttempts.createdAt} > ${since}
      AND ${inArray(loginAttempts.outcome, FAILURES)})`
  const rows = await db.all<{ id: number }>(sql`
    INSERT INTO ${loginAttempts} (email, user_id, outcome, ip, user_agent, device, country, created_at)
    SELECT ${email}, ${attempt.userId}, ${attempt.outcome}, ${client.ip}, ${client.userAgent}, ${client.device},
      ${client.country}, ${now.getTime()}
    WHERE ${failures(loginAttempts.email, email)} < ${MAX_FAILURES_PER_ACCOUNT}
      AND ${failures(loginAttempts.ip, client.ip)} < ${MAX_FAILURES_PER_IP}
    RETURNING id`)
  const reserved = rows[0]?.id
  if (reserved !== undefined) return Number(reserved)
  return refuse(db, email, client, now, (await lockedFor(db, email, client, now)) ?? 1)
}

/** The attempt succeeded: its reservation is not a failure. */
export function releaseAttempt(db: Db, id: number) {
  return db.delete(loginAttempts).where(eq(loginAttempts.id, id))
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
