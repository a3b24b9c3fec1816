import { and, count, eq, gt, inArray, min, type SQL, sql } from 'drizzle-orm'
import { insertWhen } from '../../db/batch'
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

type Attempt = {
  email: string
  /** The account's id, or an SQL expression for it (a lookup by email in the same batch), or null. */
  userId: string | SQL | null
  outcome: LoginOutcome
  client: ClientInfo
  now: Date
}

/**
 * The reservation of one attempt against the limits, as a statement (so a sign-in sends it in one batch with its
 * reads): a conditional INSERT … SELECT that counts the window and returns the new row's id, or no row when the
 * account or the IP is past its limit. Check and record are one atomic statement, so parallel guesses cannot all
 * pass one stale count (OWASP ASVS 2.2.1).
 */
export function attemptReservation(db: Db, attempt: Attempt) {
  const { email, client, now } = attempt
  const since = now.getTime() - THROTTLE_WINDOW_MS
  const failures = (column: typeof loginAttempts.email | typeof loginAttempts.ip, value: string) =>
    sql`(SELECT count(*) FROM ${loginAttempts} WHERE ${column} = ${value} AND ${loginAttempts.createdAt} > ${since}
      AND ${inArray(loginAttempts.outcome, FAILURES)})`
  return insertWhen(
    db,
    loginAttempts,
    {
      email,
      userId: attempt.userId,
      outcome: attempt.outcome,
      ...clientColumns(client),
      createdAt: now,
    },
    sql`${failures(loginAttempts.email, email)} < ${MAX_FAILURES_PER_ACCOUNT}
      AND ${failures(loginAttempts.ip, client.ip)} < ${MAX_FAILURES_PER_IP}`,
  ).returning({ id: loginAttempts.id })
}

/** The reserved attempt's id from `attemptReservation`'s rows; 429 with Retry-After when nothing was reserved. */
export async function reservedOrRefused(
  db: Db,
  rows: { id: number }[],
  attempt: Pick<Attempt, 'email' | 'client' | 'now'>,
): Promise<number> {
  const reserved = rows[0]?.id
  if (reserved !== undefined) return Number(reserved)
  const { email, client, now } = attempt
  return refuse(db, email, client, now, (await lockedFor(db, email, client, now)) ?? 1)
}

/**
 * Reserves one attempt against the limits before the password or code is checked, and returns its row id; 429
 * with Retry-After when the account or the IP is past its limit. The reservation is written as the failure it
 * becomes unless `releaseAttempt` clears it. A crash between the two leaves a failure: the safe side.
 */
export async function reserveAttempt(db: Db, attempt: Attempt): Promise<number> {
  return reservedOrRefused(db, await attemptReservation(db, attempt), attempt)
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
