import { and, eq, gt, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm'
import { runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { refreshTokens, securityEvents, sessions, users } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { randomToken, sha256Hex } from '../../lib/secure-random'
import { sessionsRevokedStatements } from '../live'
import type { ClientInfo } from './client-info'

/** A session (refresh token family) ends 30 days after sign-in, however active: then the user signs in again. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000

export type NewSession = {
  sessionId: string
  refreshToken: string
  statements: ReturnType<typeof sessionStatements>
}

function sessionStatements(
  db: Db,
  values: { sessionId: string; userId: string; tokenHash: string; client: ClientInfo; now: Date },
) {
  const { sessionId, userId, tokenHash, client, now } = values
  return [
    db.insert(sessions).values({
      id: sessionId,
      userId,
      device: client.device,
      userAgent: client.userAgent,
      ip: client.ip,
      country: client.country,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    }),
    db.insert(refreshTokens).values({ tokenHash, sessionId, issuedAt: now }),
  ] as const
}

/** A new session and its first refresh token (256 random bits, stored as a SHA-256 hash: RFC 9700 §4.14). */
export async function newSession(
  db: Db,
  userId: string,
  client: ClientInfo,
  now = new Date(),
): Promise<NewSession> {
  const sessionId = randomId('ses')
  const refreshToken = randomToken(32)
  const tokenHash = await sha256Hex(refreshToken)
  return {
    sessionId,
    refreshToken,
    statements: sessionStatements(db, { sessionId, userId, tokenHash, client, now }),
  }
}

const invalidRefreshToken = () =>
  new ApiError(401, {
    title: 'Invalid refresh token',
    detail: 'The refresh token is invalid, expired or revoked; sign in again',
  })

export type Rotation = { sessionId: string; userId: string; role: 'customer' | 'admin'; refreshToken: string }

type RotationInput = { oldHash: string; newHash: string; client: ClientInfo; now: Date }

/** The four statements of a rotation (see rotateRefreshToken), in order. */
function rotationStatements(db: Db, { oldHash, newHash, client, now }: RotationInput) {
  const activeSessionIds = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
  const tokenOwner = (condition = isNotNull(refreshTokens.usedAt)) =>
    db
      .select({ id: refreshTokens.sessionId })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.tokenHash, oldHash), condition))
  return [
    db
      .update(sessions)
      .set({ revokedAt: now, revokedReason: 'refresh_token_reuse' })
      .where(and(inArray(sessions.id, tokenOwner()), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id, userId: sessions.userId }),
    db
      .update(refreshTokens)
      .set({ usedAt: now, replacedBy: newHash })
      .where(
        and(
          eq(refreshTokens.tokenHash, oldHash),
          isNull(refreshTokens.usedAt),
          inArray(refreshTokens.sessionId, activeSessionIds),
        ),
      )
      .returning({ sessionId: refreshTokens.sessionId }),
    db.insert(refreshTokens).select(
      db
        .select({
          tokenHash: sql<string>`${newHash}`.as('token_hash'),
          sessionId: refreshTokens.sessionId,
          issuedAt: sql<number>`${now.getTime()}`.as('issued_at'),
          usedAt: sql<null>`NULL`.as('used_at'),
          replacedBy: sql<null>`NULL`.as('replaced_by'),
        })
        .from(refreshTokens)
        .where(and(eq(refreshTokens.tokenHash, oldHash), eq(refreshTokens.replacedBy, newHash))),
    ),
    db
      .update(sessions)
      .set({ lastUsedAt: now, ip: client.ip, country: client.country })
      .where(inArray(sessions.id, tokenOwner(eq(refreshTokens.replacedBy, newHash))))
      .returning({ id: sessions.id, userId: sessions.userId }),
  ] as const
}

/**
 * Refresh token rotation with reuse detection (RFC 9700 §4.14.2), in ONE batch whose changed-row counts decide:
 *  1. if the presented token was already rotated, revoke its whole session (reuse = theft or a replayed copy);
 *  2. compare-and-swap: mark the token used only if it is unused and its session active;
 *  3. insert the successor only if step 2 won (it is keyed on `replaced_by = <new hash>`);
 *  4. touch the session, again only if step 2 won.
 * D1 runs a batch as one transaction, so two racing refreshes cannot both win: the loser is treated as reuse.
 */
export async function rotateRefreshToken(
  db: Db,
  refreshToken: string,
  client: ClientInfo,
  now = new Date(),
): Promise<Rotation> {
  const oldHash = await sha256Hex(refreshToken)
  const next = randomToken(32)
  const newHash = await sha256Hex(next)
  const tokenOwner = db
    .select({ id: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, oldHash))
  const [revoked, swapped, , touched] = await db.batch([
    ...rotationStatements(db, { oldHash, newHash, client, now }),
    // Live: a session revoked for token reuse closes its sockets too (features/live).
    ...sessionsRevokedStatements(
      db,
      and(inArray(sessions.id, tokenOwner), eq(sessions.revokedReason, 'refresh_token_reuse')),
      now,
      { revokedAt: now },
    ),
  ])
  const reused = revoked[0]
  if (reused) {
    await recordReuse(db, reused.userId, client, now)
    throw invalidRefreshToken()
  }
  const session = touched[0]
  if (!swapped[0] || !session) throw invalidRefreshToken()
  const [user] = await db.select({ role: users.role }).from(users).where(eq(users.id, session.userId))
  if (!user) throw invalidRefreshToken()
  return { sessionId: session.id, userId: session.userId, role: user.role, refreshToken: next }
}

async function recordReuse(db: Db, userId: string, client: ClientInfo, now: Date) {
  await db
    .insert(securityEvents)
    .values({ id: randomId('sev'), userId, type: 'refresh_token_reuse', ...client, createdAt: now })
  console.warn(JSON.stringify({ level: 'warn', msg: 'refresh token reuse: session revoked', userId }))
}

/** Logout: revokes the session the refresh token belongs to (idempotent; an unknown token changes nothing). */
export async function revokeSessionByRefreshToken(
  db: Db,
  refreshToken: string,
  now = new Date(),
): Promise<void> {
  const tokenHash = await sha256Hex(refreshToken)
  const owner = db
    .select({ id: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
  const mine = and(inArray(sessions.id, owner), isNull(sessions.revokedAt))
  await runBatch(db, [
    ...sessionsRevokedStatements(db, mine, now),
    db.update(sessions).set({ revokedAt: now, revokedReason: 'logout' }).where(mine),
  ])
}

export function revokeUserSessions(
  db: Db,
  userId: string,
  reason: string,
  options: { except?: string; now?: Date } = {},
) {
  return db
    .update(sessions)
    .set({ revokedAt: options.now ?? new Date(), revokedReason: reason })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        options.except ? ne(sessions.id, options.except) : undefined,
      ),
    )
}

/**
 * The revocation check for /v1/me* and /v1/admin/*, as a statement: one primary-key lookup joining the user. Its row
 * is the user's as it is now (a demoted admin loses admin at once; /v1/me answers from it without reading it
 * again); no row when the session is revoked, expired or the user gone. A statement, so that a signed-in read can
 * send it first in its own batch (active-session.ts `authenticatedBatch`): one round trip for check and read.
 */
export function activeSessionQuery(db: Db, sessionId: string, userId: string, now = new Date()) {
  return db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
      ),
    )
    .limit(1)
}

/** The revocation check run on its own: the user's row, or null (see activeSessionQuery). */
export async function findActiveSession(db: Db, sessionId: string, userId: string, now = new Date()) {
  const [row] = await activeSessionQuery(db, sessionId, userId, now)
  return row?.user ?? null
}
