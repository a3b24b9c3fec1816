import { and, eq, inArray, or, sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import {
  loginAttempts,
  mailOutbox,
  oneTimeTokens,
  recoveryCodes,
  refreshTokens,
  securityEvents,
  sessions,
  totpFactors,
  users,
} from '../../db/schema'
import { ApiError } from '../../http/problem'
import { commerceAccountDeletion } from '../orders'

/**
 * Statements that erase (or anonymise) what belongs to a user, for the one atomic deletion batch.
 * EXTENSION POINT: a feature that stores personal data adds one step here (statements only, no awaiting).
 * Steps run in order, before the user row itself is deleted; if any statement fails, nothing is deleted.
 */
export type AccountDeletionStep = (db: Db, user: { id: string; email: string }) => Statement[]

/** Identity's own data: factors, emailed tokens, events, sessions with their refresh tokens, attempts, mail. */
const identityData: AccountDeletionStep = (db, user) => [
  db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
  db.delete(totpFactors).where(eq(totpFactors.userId, user.id)),
  db.delete(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id)),
  db.delete(securityEvents).where(eq(securityEvents.userId, user.id)),
  db
    .delete(refreshTokens)
    .where(
      inArray(
        refreshTokens.sessionId,
        db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id)),
      ),
    ),
  db.delete(sessions).where(eq(sessions.userId, user.id)),
  // Login attempts and unsent mail carry the address: personal data, erased too (GDPR Art. 17).
  db.delete(loginAttempts).where(or(eq(loginAttempts.userId, user.id), eq(loginAttempts.email, user.email))),
  db.delete(mailOutbox).where(eq(mailOutbox.to, user.email)),
]

export const accountDeletionSteps: AccountDeletionStep[] = [
  // Commerce: cart, saved addresses and idempotency records go; orders stay for accounting, anonymised.
  (db, user) => commerceAccountDeletion(db, user.id),
  identityData,
]

/**
 * Never leave the shop without an admin: demotes (if needed) in one conditional statement that only succeeds
 * while another admin exists. Run before deleting or demoting an account; 409 otherwise.
 */
export async function demoteUnlessLastAdmin(db: Db, userId: string): Promise<void> {
  const otherAdmins = sql`(SELECT count(*) FROM ${users} AS others WHERE others.role = 'admin' AND others.id != ${userId})`
  const [row] = await db
    .update(users)
    .set({ role: 'customer', updatedAt: new Date() })
    .where(and(eq(users.id, userId), sql`(${users.role} = 'customer' OR ${otherAdmins} > 0)`))
    .returning({ id: users.id })
  if (!row) {
    throw new ApiError(409, {
      title: 'Last admin',
      detail: 'This is the only admin account; make another user admin first',
    })
  }
}

/** Deletes the account and everything registered in `accountDeletionSteps`, all in one batch (all or nothing). */
export async function deleteAccount(db: Db, user: { id: string; email: string }): Promise<void> {
  await runBatch(db, [
    ...accountDeletionSteps.flatMap((step) => step(db, user)),
    db.delete(users).where(eq(users.id, user.id)),
  ])
}
