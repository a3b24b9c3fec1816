import { lt } from 'drizzle-orm'
import { createDb } from '../../db/client'
import { loginAttempts } from '../../db/schema'
import type { Bindings } from '../../env'

/** Login attempts are kept 90 days: long enough to investigate, not longer (data minimisation, GDPR Art. 5). */
export const LOGIN_ATTEMPT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000

export async function pruneLoginAttempts(env: Bindings, now = new Date()): Promise<void> {
  const { db } = createDb(env)
  await db
    .delete(loginAttempts)
    .where(lt(loginAttempts.createdAt, new Date(now.getTime() - LOGIN_ATTEMPT_RETENTION_MS)))
}
