import { and, eq, inArray, or, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
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

/**
 * Statements that erase (or anonymise) what belongs to a user, for the one atomic deletion batch.
 * EXTENSION POINT: another feature adds its own step, e.g. commerce:
 *   accountDeletionSteps.push((db, user) => [db.delete(carts).where(eq(carts.userId, user.id)),
 *     db.update(orders).set({ userId: null, email: 'deleted', shippingName: '' }).where(eq(orders.userId, user.id))])
 * Orders are kept for accounting with personal data removed (see README, "Account deletion").
 * Steps run in order, before the user row itself is deleted.
 */
export type AccountDeletionStep = (db: Db, user: { id: string; email: string }) => BatchItem<'sqlite'>[]

export const accountDeletionSteps: AccountDeletionStep[] = [
  (db, user) => [
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
    db
      .delete(loginAttempts)
      .where(or(eq(loginAttempts.userId, user.id), eq(loginAttempts.email, user.email))),
    db.delete(mailOutbox).where(eq(mailOutbox.to, user.email)),
  ],
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
  const statements = [
    ...accountDeletionSteps.flatMap((step) => step(db, user)),
    db.delete(users).where(eq(users.id, user.id)),
  ] as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]
  await db.batch(statements)
}
