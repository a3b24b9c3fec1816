import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import { insertWhen, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { auditLog } from '../../db/schema'
import { bySeq, keysetPage } from '../../http/pagination'
import { randomId } from '../../lib/ids'

export type AuditEntry = {
  actorId: string
  action: string
  targetType: string
  targetId: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
}

/** An audit insert to put in the same batch as the change it records, so neither exists without the other. */
export function auditStatement(db: Db, entry: AuditEntry, now: Date) {
  return db.insert(auditLog).values({ id: randomId('aud'), ...entry, createdAt: now })
}

/** An audit insert that exists only if `condition` holds in the batch (e.g. the transition it records won). */
export function auditStatementWhen(db: Db, entry: AuditEntry, now: Date, condition: SQL) {
  return insertWhen(db, auditLog, { id: randomId('aud'), ...entry, createdAt: now }, condition)
}

/**
 * The audit log's part of deleting an account (GDPR Art. 17): the log stays (accountability), but the account's
 * id is replaced, wherever it is the actor or the target, by one fresh pseudonym per deletion, so its entries
 * still read as "one (deleted) actor" and lead to no one. Statements for the deletion batch.
 */
export function auditAccountDeletion(db: Db, userId: string): Statement[] {
  const pseudonym = randomId('del')
  return [
    db.update(auditLog).set({ actorId: pseudonym }).where(eq(auditLog.actorId, userId)),
    db
      .update(auditLog)
      .set({ targetId: pseudonym })
      .where(and(eq(auditLog.targetType, 'user'), eq(auditLog.targetId, userId))),
  ]
}

export async function listAudit(
  db: Db,
  query: { limit: number; cursor?: string; targetId?: string; actorId?: string },
) {
  const { rows, nextCursor } = await keysetPage(bySeq, query, (after, take) =>
    db
      .select()
      .from(auditLog)
      .where(
        and(
          query.targetId ? eq(auditLog.targetId, query.targetId) : undefined,
          query.actorId ? eq(auditLog.actorId, query.actorId) : undefined,
          after && lt(auditLog.seq, after.i),
        ),
      )
      .orderBy(desc(auditLog.seq))
      .limit(take),
  )
  return {
    data: rows.map((row) => ({
      id: row.id,
      actorId: row.actorId,
      action: row.action,
      targetType: row.targetType,
      targetId: row.targetId,
      before: row.before,
      after: row.after,
      createdAt: row.createdAt.toISOString(),
    })),
    nextCursor,
  }
}
