import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { Config } from '../../config'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { loginAttempts, oneTimeTokens, securityEvents, type UserRow, users } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { DUMMY_PASSWORD_HASH, hashPassword, needsRehash, verifyPassword } from '../../lib/password'
import { sha256Hex } from '../../lib/secure-random'
import { liveEventStatements } from '../live'
import { mailTemplates, outboxInsert } from '../mail'
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken, signMfaToken, verifyMfaToken } from './access-tokens'
import type { ClientInfo } from './client-info'
import {
  attemptReservation,
  loginAttemptInsert,
  releaseAttempt,
  reserveAttempt,
  reservedOrRefused,
} from './login-throttle'
import { newSession } from './sessions.service'
import { confirmedTotp, spendSecondFactor } from './totp'

export type TokenPair = { accessToken: string; refreshToken: string; tokenType: 'Bearer'; expiresIn: number }
export type SignedIn = { kind: 'tokens'; tokens: TokenPair; outboxIds: string[] }
export type LoginResult = SignedIn | { kind: 'mfa'; mfaToken: string }

/**
 * One answer for a wrong password and an unknown email: same status, same body, and the same PBKDF2 work
 * (OWASP Authentication Cheat Sheet, "Authentication and error messages"; ASVS 2.2.x).
 */
export const invalidCredentials = () =>
  new ApiError(401, { title: 'Invalid credentials', detail: 'The email or password is incorrect' })

export async function tokenPair(
  config: Config,
  user: Pick<UserRow, 'id' | 'role'>,
  sessionId: string,
  refreshToken: string,
): Promise<TokenPair> {
  const accessToken = await signAccessToken(config, { userId: user.id, role: user.role, sessionId })
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_TTL_SECONDS }
}

/**
 * Two round trips to the database: one batch reads the account, its second factor and its login history and
 * reserves the attempt (committed before the password is checked, so parallel guesses cannot share one count);
 * a second batch releases the reservation and opens the session. The PBKDF2 check runs between them.
 */
export async function login(
  db: Db,
  config: Config,
  input: { email: string; password: string },
  client: ClientInfo,
): Promise<LoginResult> {
  const now = new Date()
  const accountId = sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${input.email})`
  // Counted as a failure until the password proves right (parallel guesses cannot share one count).
  const reservation = { email: input.email, outcome: 'bad_credentials', client, now } as const
  const [[user], reserved, [secondFactor], [history]] = await db.batch([
    db.select().from(users).where(eq(users.email, input.email)),
    attemptReservation(db, { ...reservation, userId: accountId }),
    confirmedTotp(db, accountId),
    familiarity(db, accountId, client),
  ])
  const attempt = await reservedOrRefused(db, reserved, reservation)
  // Always run PBKDF2, even for an unknown email, so that timing does not tell whether the account exists.
  const valid = await verifyPassword(
    input.password,
    user?.passwordHash ?? DUMMY_PASSWORD_HASH,
    config.PASSWORD_PEPPER,
  )
  if (!user || !valid) throw invalidCredentials()
  const settled: Statement[] = [releaseAttempt(db, attempt)]
  if (needsRehash(user.passwordHash)) {
    // Upgrade old parameters now that we hold the plaintext (as Supabase Auth does on sign-in).
    const passwordHash = await hashPassword(input.password, config.PASSWORD_PEPPER)
    settled.push(
      db
        .update(users)
        .set({ passwordHash })
        .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash))),
    )
  }
  if (secondFactor) {
    settled.push(
      loginAttemptInsert(db, { email: input.email, userId: user.id, outcome: 'mfa_required', client, now }),
    )
    await runBatch(db, settled)
    return { kind: 'mfa', mfaToken: await signMfaToken(config, user.id) }
  }
  return completeLogin(db, config, user, client, now, { isNew: isNewPlace(history, client), settled })
}

const challengeAlreadyUsed = () =>
  new ApiError(401, {
    title: 'Invalid MFA token',
    detail: 'This MFA token was already used to sign in; sign in again',
  })

/** Second step: the MFA challenge token and a TOTP or recovery code, each accepted once. */
export async function loginWithMfa(
  db: Db,
  config: Config,
  input: { mfaToken: string; code: string },
  client: ClientInfo,
): Promise<SignedIn> {
  const now = new Date()
  const challenge = await verifyMfaToken(config, input.mfaToken)
  const [user] = await db.select().from(users).where(eq(users.id, challenge.userId))
  if (!user) throw invalidCredentials()
  const attempt = await reserveAttempt(db, {
    email: user.email,
    userId: user.id,
    outcome: 'mfa_failed',
    client,
    now,
  })
  // A spent challenge is refused before any code is spent with it (the claim below decides a true race).
  const challengeHash = await sha256Hex(`mfa:${challenge.challengeId}`)
  const [spentChallenge] = await db
    .select({ tokenHash: oneTimeTokens.tokenHash })
    .from(oneTimeTokens)
    .where(eq(oneTimeTokens.tokenHash, challengeHash))
  if (spentChallenge) throw challengeAlreadyUsed()
  const factor = await spendSecondFactor(db, config.PASSWORD_PEPPER, user.id, input.code, now)
  if (!factor)
    throw new ApiError(401, { title: 'Invalid code', detail: 'The code is wrong, expired or already used' })
  await releaseAttempt(db, attempt)
  // One challenge completes one sign-in (OWASP ASVS 2.8.4, RFC 6238 §5.2: an OTP-protected step is not
  // replayable): the challenge's jti is claimed with a conditional insert, and a second claim gets no row back.
  const claimed = await db
    .insert(oneTimeTokens)
    .values({
      tokenHash: challengeHash,
      userId: user.id,
      purpose: 'mfa_challenge',
      email: user.email,
      createdAt: now,
      expiresAt: challenge.expiresAt,
      usedAt: now,
    })
    .onConflictDoNothing()
    .returning({ tokenHash: oneTimeTokens.tokenHash })
  if (claimed.length === 0) throw challengeAlreadyUsed()
  if (factor === 'recovery_code') {
    await db
      .insert(securityEvents)
      .values({ id: randomId('sev'), userId: user.id, type: 'recovery_code_used', ...client, createdAt: now })
  }
  return completeLogin(db, config, user, client, now)
}

/** Have we seen this device / country on an earlier successful login? (One indexed aggregate query.) */
function familiarity(db: Db, userId: string | SQL, client: ClientInfo) {
  return db
    .select({
      total: sql<number>`count(*)`,
      sameDevice: sql<number>`coalesce(sum(${loginAttempts.device} = ${client.device}), 0)`,
      sameCountry: sql<number>`coalesce(sum(${loginAttempts.country} IS ${client.country}), 0)`,
    })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.userId, userId), eq(loginAttempts.outcome, 'success')))
}

type History = { total: number; sameDevice: number; sameCountry: number } | undefined

function isNewPlace(row: History, client: ClientInfo): boolean {
  const total = Number(row?.total ?? 0)
  // The very first sign-in has nothing to compare with: no alarm for it.
  return (
    total > 0 &&
    (Number(row?.sameDevice) === 0 || (client.country !== null && Number(row?.sameCountry) === 0))
  )
}

/**
 * Opens the session, records the success and, for a new device or country, a security event and a mail: one
 * batch, with the statements the caller still has to settle (the attempt's release). `known.isNew` is the
 * familiarity the caller already read, else it is read here.
 */
async function completeLogin(
  db: Db,
  config: Config,
  user: UserRow,
  client: ClientInfo,
  now: Date,
  known: { isNew?: boolean; settled?: Statement[] } = {},
): Promise<SignedIn> {
  const isNew = known.isNew ?? isNewPlace((await familiarity(db, user.id, client))[0], client)
  const session = await newSession(db, user.id, client, now)
  const attempt = loginAttemptInsert(db, {
    email: user.email,
    userId: user.id,
    outcome: 'success',
    client,
    now,
  })
  const statements: Statement[] = [...(known.settled ?? []), ...session.statements, attempt]
  const outboxIds: string[] = []
  if (isNew) {
    const mail = outboxInsert(
      db,
      { userId: user.id, ...mailTemplates.newDeviceMail(user.email, user.name, client) },
      now,
    )
    outboxIds.push(mail.id)
    const event = db
      .insert(securityEvents)
      .values({ id: randomId('sev'), userId: user.id, type: 'new_device_login', ...client, createdAt: now })
    // Live: the account's own channel hears of a sign-in from a new device (features/live).
    const live = liveEventStatements(db, [
      {
        channel: `user:${user.id}`,
        event: 'security.signed_in',
        data: { sessionId: session.sessionId, device: client.device, newDevice: true },
      },
    ])
    statements.push(event, mail.statement, ...live)
  }
  await runBatch(db, statements)
  return {
    kind: 'tokens',
    tokens: await tokenPair(config, user, session.sessionId, session.refreshToken),
    outboxIds,
  }
}
