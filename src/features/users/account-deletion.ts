import { and, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
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
import { auditAccountDeletion } from '../audit'
import { channelName, closeUserSockets, forgetUserChannel } from '../live'
import { commerceAccountDeletion } from '../orders'

/**
 * Statements that erase (or anonymise) what belongs to a user, for the one atomic deletion batch.
 * EXTENSION POINT: a feature that stores personal data adds one step here (statements only, no awaiting).
 * Steps run in order, before the user row itself is deleted; if any statement fails, nothing is deleted.
 */
export type AccountDeletionStep = (db: Db, user: { id: string; email: string }) => Statement[]

/**
 * Every address the account has had: the current one, those its emailed tokens and mail went to, those it signed
 * in with; minus any that another account holds now (an address left behind can be registered again). Evaluated
 * by each statement of the batch, so the statements that use it run before those that erase its sources.
 */
function emailsOf(user: { id: string; email: string }): SQL {
  return sql`(SELECT ${user.email} UNION SELECT ${oneTimeTokens.email} FROM ${oneTimeTokens} WHERE ${oneTimeTokens.userId} = ${user.id} UNION SELECT ${mailOutbox.to} FROM ${mailOutbox} WHERE ${mailOutbox.userId} = ${user.id} UNION SELECT ${loginAttempts.email} FROM ${loginAttempts} WHERE ${loginAttempts.userId} = ${user.id} EXCEPT SELECT ${users.email} FROM ${users} WHERE ${users.id} != ${user.id})`
}

/** Rows of the account, or rows for one of its addresses that no other account claims (`owner` is null). */
const ownedOrAbout = (owner: SQLiteColumn, address: SQLiteColumn, user: { id: string; email: string }) =>
  or(eq(owner, user.id), and(isNull(owner), sql`${address} IN ${emailsOf(user)}`))

/**
 * Identity's own data: factors, events, sessions with their refresh tokens; login attempts and mail for any of
 * the account's addresses, past ones included (sent mail too: the outbox row is a copy of a personal message,
 * GDPR Art. 17); then the emailed tokens, which `emailsOf` reads.
 */
const identityData: AccountDeletionStep = (db, user) => [
  db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
  db.delete(totpFactors).where(eq(totpFactors.userId, user.id)),
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
  db.delete(loginAttempts).where(ownedOrAbout(loginAttempts.userId, loginAttempts.email, user)),
  db.delete(mailOutbox).where(ownedOrAbout(mailOutbox.userId, mailOutbox.to, user)),
  db.delete(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id)),
]

export const accountDeletionSteps: AccountDeletionStep[] = [
  // Commerce: cart, saved addresses and idempotency records go; orders stay for accounting, anonymised, with
  // their audit entries' addresses and refunds' creator. First: it finds the orders by their owner.
  (db, user) => commerceAccountDeletion(db, user.id),
  // Audit: the account's id, as actor or target, becomes a pseudonym.
  (db, user) => auditAccountDeletion(db, user.id),
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
  // Its live sockets end with it (close code 4001), and its own channel forgets what it stored.
  await closeUserSockets(db, user.id, [channelName.admin()])
  await forgetUserChannel(db, user.id)
}
