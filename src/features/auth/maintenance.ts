import { and, inArray, isNotNull, lt, or } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { createDb } from '../../db/client'
import { loginAttempts, oneTimeTokens, refreshTokens, sessions } from '../../db/schema'
import type { Bindings } from '../../env'

const DAY_MS = 24 * 60 * 60 * 1000
/** Login attempts are kept 90 days: long enough to investigate, not longer (data minimisation, GDPR Art. 5). */
export const LOGIN_ATTEMPT_RETENTION_MS = 90 * DAY_MS
/** Ended sessions stay listed for a week (so a user can see what was signed out), then go with their tokens. */
const ENDED_SESSION_RETENTION_MS = 7 * DAY_MS

/** Cron: drops identity rows that can no longer matter, in one batch. */
export async function pruneIdentityData(db: Db, now = new Date()): Promise<void> {
  const sessionCutoff = new Date(now.getTime() - ENDED_SESSION_RETENTION_MS)
  const endedSessions = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      or(
        lt(sessions.expiresAt, sessionCutoff),
        and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, sessionCutoff)),
      ),
    )
  await db.batch([
    db
      .delete(loginAttempts)
      .where(lt(loginAttempts.createdAt, new Date(now.getTime() - LOGIN_ATTEMPT_RETENTION_MS))),
    db.delete(oneTimeTokens).where(lt(oneTimeTokens.expiresAt, new Date(now.getTime() - DAY_MS))),
    db.delete(refreshTokens).where(inArray(refreshTokens.sessionId, endedSessions)),
    db.delete(sessions).where(inArray(sessions.id, endedSessions)),
  ])
}

export async function runIdentityMaintenance(env: Bindings): Promise<void> {
  await pruneIdentityData(createDb(env).db)
}
