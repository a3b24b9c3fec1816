import { and, desc, eq, isNull, ne } from 'drizzle-orm'
import type { Config } from '../../config'
import { runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import {
  type SecurityEventRow,
  type SessionRow,
  securityEvents,
  sessions,
  type UserRow,
  users,
} from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { hashPassword } from '../../lib/password'
import {
  type ClientInfo,
  EMAIL_VERIFICATION_TTL_MS,
  oneTimeTokenInsert,
  reauthenticate,
  revokeEmailedTokens,
  revokeUserSessions,
  verificationLink,
} from '../auth'
import { sessionsRevokedStatements } from '../live'
import { mailTemplates, outboxInsert, securityNoticeInsert } from '../mail'
import { deleteAccount, demoteUnlessLastAdmin } from './account-deletion'
import type { UpdateMe } from './users.schemas'

export async function getUser(db: Db, userId: string): Promise<UserRow> {
  const [user] = await db.select().from(users).where(eq(users.id, userId))
  if (!user) throw new ApiError(404, { title: 'User not found', detail: `No user has the id ${userId}` })
  return user
}

/**
 * Name and phone change at once. A new email needs the current password (re-authentication, OWASP ASVS 3.7.1:
 * a stolen access token must not be able to redirect password resets), is unverified until its link is used,
 * and the old address is told.
 */
export async function updateMe(db: Db, config: Config, userId: string, input: UpdateMe, client: ClientInfo) {
  const now = new Date()
  const user = await getUser(db, userId)
  const emailChanges = input.email !== undefined && input.email !== user.email
  if (emailChanges) {
    await reauthenticate(
      db,
      config,
      user,
      { password: input.password ?? '', pointer: '/body/password' },
      client,
    )
  }
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.phone !== undefined ? { phone: input.phone } : {}),
    ...(emailChanges ? { email: input.email, emailVerifiedAt: null } : {}),
    updatedAt: now,
  }
  const update = db.update(users).set(changes).where(eq(users.id, userId)).returning()
  try {
    if (!emailChanges) {
      const [updated] = await update
      return { user: updated!, outboxIds: [] }
    }
    const email = input.email!
    const verification = await oneTimeTokenInsert(db, {
      userId,
      email,
      purpose: 'verify_email',
      ttlMs: EMAIL_VERIFICATION_TTL_MS,
      now,
    })
    const verifyMail = outboxInsert(
      db,
      {
        userId,
        ...mailTemplates.verifyEmailMail(
          email,
          input.name ?? user.name,
          verificationLink(config, verification.token),
        ),
      },
      now,
    )
    const notice = securityNoticeInsert(
      db,
      user,
      `The email address of your account was changed to ${email}.`,
      now,
    )
    const [[updated]] = await db.batch([
      update,
      // Links mailed before the change (to the old address too) stop working; then the new address's link.
      revokeEmailedTokens(db, userId, now),
      verification.statement,
      verifyMail.statement,
      notice.statement,
      db
        .insert(securityEvents)
        .values({ id: randomId('sev'), userId, type: 'email_changed', createdAt: now }),
    ])
    return { user: updated!, outboxIds: [verifyMail.id, notice.id] }
  } catch (error) {
    if (isUniqueViolation(error, 'users.email')) {
      throw new ApiError(409, {
        title: 'Email already registered',
        detail: 'Another account uses this email',
        errors: [{ pointer: '/body/email', detail: 'Already registered' }],
      })
    }
    throw error
  }
}

/** Changes the password and signs out every other session (the current one stays). */
export async function changePassword(
  db: Db,
  config: Config,
  caller: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
) {
  const now = new Date()
  const user = await getUser(db, caller.userId)
  const check = { password: input.currentPassword, pointer: '/body/currentPassword' }
  await reauthenticate(db, config, user, check, client)
  const passwordHash = await hashPassword(input.newPassword, config.PASSWORD_PEPPER)
  const notice = securityNoticeInsert(
    db,
    user,
    'Your password was changed; other sessions were signed out.',
    now,
  )
  await db.batch([
    db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, user.id)),
    ...sessionsRevokedStatements(
      db,
      and(eq(sessions.userId, user.id), caller.sessionId ? ne(sessions.id, caller.sessionId) : undefined),
      now,
    ),
    revokeUserSessions(db, user.id, 'password_changed', { except: caller.sessionId, now }),
    revokeEmailedTokens(db, user.id, now),
    db
      .insert(securityEvents)
      .values({ id: randomId('sev'), userId: user.id, type: 'password_changed', createdAt: now }),
    notice.statement,
  ])
  return [notice.id]
}

export async function deleteMe(db: Db, config: Config, userId: string, password: string, client: ClientInfo) {
  const user = await getUser(db, userId)
  await reauthenticate(db, config, user, { password, pointer: '/body/password' }, client)
  await demoteUnlessLastAdmin(db, user.id)
  await deleteAccount(db, user)
}

/** The caller's unrevoked sessions, as a statement (the handler batches it with the session check). */
export function sessionList(db: Db, userId: string) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .orderBy(desc(sessions.lastUsedAt))
    .limit(100)
}

/** The session list's view: unexpired ones, the caller's own marked `current`. */
export function toSessions(rows: SessionRow[], currentSessionId: string | undefined) {
  const now = Date.now()
  return rows
    .filter((row) => row.expiresAt.getTime() > now)
    .map((row) => ({
      id: row.id,
      device: row.device,
      ip: row.ip,
      country: row.country,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      current: row.id === currentSessionId,
    }))
}

/** Revokes one of the caller's own sessions; another user's session id is simply "not found" (OWASP API1). */
export async function revokeSession(db: Db, userId: string, sessionId: string) {
  const mine = and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt))
  const revoke = db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: 'revoked_by_user' })
    .where(mine)
    .returning({ id: sessions.id })
  const results = await runBatch(db, [...sessionsRevokedStatements(db, mine), revoke])
  const [row] = results.at(-1) as { id: string }[]
  if (!row)
    throw new ApiError(404, { title: 'Session not found', detail: `You have no active session ${sessionId}` })
}

/** The caller's latest security events, as a statement (the handler batches it with the session check). */
export function securityEventList(db: Db, userId: string, options: { limit: number }) {
  return db
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(options.limit)
}

export function toSecurityEvents(rows: SecurityEventRow[]) {
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    device: row.device,
    ip: row.ip,
    country: row.country,
    createdAt: row.createdAt.toISOString(),
  }))
}
