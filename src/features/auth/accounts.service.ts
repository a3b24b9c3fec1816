import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Config } from '../../config'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { mailOutbox, oneTimeTokens, securityEvents, sessions, users } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { hashPassword } from '../../lib/password'
import { randomToken, sha256Hex } from '../../lib/secure-random'
import { sessionsRevokedStatements } from '../live'
import { mailTemplates, outboxInsert, securityNoticeInsert } from '../mail'
import type { Register } from './auth.schemas'
import {
  invalidToken,
  oneTimeTokenInsert,
  revokeEmailedTokens,
  spendToken,
  tokensSentLastHour,
} from './one-time-tokens'

export const EMAIL_VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000
export const PASSWORD_RESET_TTL_MS = 30 * 60 * 1000
/** At most this many reset or verification mails per account and hour, so nobody can flood an inbox. */
const MAX_MAILS_PER_HOUR = 3

export const verificationLink = (config: Config, token: string) =>
  `${config.APP_URL}/verify-email?token=${token}`
const resetLink = (config: Config, token: string) => `${config.APP_URL}/reset-password?token=${token}`

/** Creates a customer account (never anything else: the role is not an input) and mails a verification link. */
export async function register(db: Db, config: Config, input: Register) {
  const now = new Date()
  const passwordHash = await hashPassword(input.password, config.PASSWORD_PEPPER)
  const id = randomId('usr')
  const verification = await oneTimeTokenInsert(db, {
    userId: id,
    email: input.email,
    purpose: 'verify_email',
    ttlMs: EMAIL_VERIFICATION_TTL_MS,
    now,
  })
  const mail = outboxInsert(
    db,
    {
      userId: id,
      ...mailTemplates.verifyEmailMail(input.email, input.name, verificationLink(config, verification.token)),
    },
    now,
  )
  try {
    const [[user]] = await db.batch([
      db
        .insert(users)
        .values({
          id,
          email: input.email,
          name: input.name,
          phone: input.phone ?? null,
          passwordHash,
          role: 'customer',
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      verification.statement,
      mail.statement,
    ])
    return { user: user!, outboxIds: [mail.id] }
  } catch (error) {
    if (isUniqueViolation(error, 'users.email')) {
      throw new ApiError(409, {
        title: 'Email already registered',
        detail: 'An account with this email exists; sign in or reset the password',
        errors: [{ pointer: '/body/email', detail: 'Already registered' }],
      })
    }
    throw error
  }
}

export async function verifyEmail(db: Db, token: string) {
  const now = new Date()
  const { spend, spentBy } = await spendToken(db, token, 'verify_email', now)
  const [spent, verified] = await db.batch([
    spend,
    db
      .update(users)
      .set({ emailVerifiedAt: now, updatedAt: now })
      .where(
        and(
          inArray(users.id, spentBy(oneTimeTokens.userId)),
          inArray(users.email, spentBy(oneTimeTokens.email)),
        ),
      )
      .returning({ id: users.id }),
  ])
  if (!spent[0] || !verified[0]) throw invalidToken()
}

/** Mails a fresh verification link for the account's current email (409 when already verified, 429 past 3/h). */
export async function resendVerification(db: Db, config: Config, userId: string): Promise<string[]> {
  const now = new Date()
  const [user] = await db.select().from(users).where(eq(users.id, userId))
  if (!user) return []
  if (user.emailVerifiedAt) {
    throw new ApiError(409, { title: 'Already verified', detail: `${user.email} is already verified` })
  }
  if ((await tokensSentLastHour(db, user.id, 'verify_email', now)) >= MAX_MAILS_PER_HOUR) {
    throw new ApiError(429, {
      title: 'Too many verification mails',
      detail: 'Wait an hour before asking for another link',
      headers: { 'Retry-After': '3600' },
    })
  }
  const verification = await oneTimeTokenInsert(db, {
    userId,
    email: user.email,
    purpose: 'verify_email',
    ttlMs: EMAIL_VERIFICATION_TTL_MS,
    now,
  })
  const link = verificationLink(config, verification.token)
  const mail = outboxInsert(
    db,
    { userId, ...mailTemplates.verifyEmailMail(user.email, user.name, link) },
    now,
  )
  await db.batch([verification.statement, mail.statement])
  return [mail.id]
}

/** Stands in for the account's name in a mail rendered before the name is known; SQLite fills it in. */
const NAME_SLOT = '{{account name}}'

/**
 * Always "accepted" to the caller, whether or not the email has an account (no enumeration, OWASP Forgot Password
 * Cheat Sheet; ASVS 2.5.x). Known and unknown emails run the same work: one token, one mail rendered, one batch of
 * two `INSERT … SELECT`s that insert rows only when the account exists and is under its hourly limit. Same
 * statements, same query count in Server-Timing, same D1 bookmark advance, same mail dispatch (an outbox id that
 * was never written is skipped by the consumer).
 */
export async function requestPasswordReset(db: Db, config: Config, email: string): Promise<string[]> {
  const now = new Date()
  const token = randomToken(32)
  const tokenHash = await sha256Hex(token)
  const mailId = randomId('mail')
  const mail = mailTemplates.passwordResetMail(email, NAME_SLOT, resetLink(config, token))
  const value = (bound: unknown) => sql`${bound}`
  const recentResets = sql`(SELECT count(*) FROM ${oneTimeTokens} AS recent WHERE recent.user_id = ${users.id} AND recent.purpose = 'password_reset' AND recent.created_at > ${now.getTime() - 3_600_000})`
  const insertToken = db.insert(oneTimeTokens).select(
    db
      .select({
        tokenHash: value(tokenHash).as('token_hash'),
        userId: users.id,
        purpose: sql`'password_reset'`.as('purpose'),
        email: users.email,
        createdAt: value(now.getTime()).as('created_at'),
        expiresAt: value(now.getTime() + PASSWORD_RESET_TTL_MS).as('expires_at'),
        usedAt: sql`NULL`.as('used_at'),
      })
      .from(users)
      .where(and(eq(users.email, email), sql`${recentResets} < ${MAX_MAILS_PER_HOUR}`)),
  )
  // The mail exists only if the token row was just written (same batch, so it sees it).
  const insertMail = db.insert(mailOutbox).select(
    db
      .select({
        id: value(mailId).as('id'),
        userId: users.id,
        to: users.email,
        subject: value(mail.subject).as('subject'),
        text: sql`replace(${mail.text}, ${NAME_SLOT}, ${users.name})`.as('text'),
        status: sql`'pending'`.as('status'),
        attempts: sql`0`.as('attempts'),
        nextAttemptAt: value(now.getTime()).as('next_attempt_at'),
        lastError: sql`NULL`.as('last_error'),
        createdAt: value(now.getTime()).as('created_at'),
        sentAt: sql`NULL`.as('sent_at'),
      })
      .from(oneTimeTokens)
      .innerJoin(users, eq(users.id, oneTimeTokens.userId))
      .where(eq(oneTimeTokens.tokenHash, tokenHash)),
  )
  await db.batch([insertToken, insertMail])
  return [mailId]
}

/** Sets the new password and revokes every session, atomically with spending the single-use token. */
export async function confirmPasswordReset(
  db: Db,
  config: Config,
  input: { token: string; newPassword: string },
) {
  const now = new Date()
  const passwordHash = await hashPassword(input.newPassword, config.PASSWORD_PEPPER)
  const { spend, spentBy } = await spendToken(db, input.token, 'password_reset', now)
  const [spent, updated] = await db.batch([
    spend,
    db
      .update(users)
      .set({ passwordHash, updatedAt: now })
      .where(inArray(users.id, spentBy(oneTimeTokens.userId)))
      .returning({ id: users.id, email: users.email, name: users.name }),
    ...sessionsRevokedStatements(db, inArray(sessions.userId, spentBy(oneTimeTokens.userId)), now),
    db
      .update(sessions)
      .set({ revokedAt: now, revokedReason: 'password_reset' })
      .where(and(inArray(sessions.userId, spentBy(oneTimeTokens.userId)), isNull(sessions.revokedAt))),
    // Any other reset or verification link mailed earlier dies with this one.
    revokeEmailedTokens(db, spentBy(oneTimeTokens.userId), now),
  ])
  const user = updated[0]
  if (!spent[0] || !user) throw invalidToken()
  const mail = securityNoticeInsert(
    db,
    user,
    'Your password was reset and every session was signed out.',
    now,
  )
  await db.batch([
    db
      .insert(securityEvents)
      .values({ id: randomId('sev'), userId: user.id, type: 'password_reset', createdAt: now }),
    mail.statement,
  ])
  return [mail.id]
}
