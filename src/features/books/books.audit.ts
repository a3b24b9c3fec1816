import { and, eq, notExists, sql } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { auditLog, books } from '../../db/schema'
import { randomId } from '../../lib/ids'

/** The audited fields of a book, as JSON built by SQLite from the row itself. */
const snapshot = sql`json_object('isbn', ${books.isbn}, 'title', ${books.title}, 'priceAmount', ${books.priceAmount}, 'currency', ${books.currency}, 'stock', ${books.stock})`

type Audit = {
  actorId: string
  action: 'book.create' | 'book.update' | 'book.delete'
  bookId: string
  now: Date
}

/** Inserts an audit row whose `before` (or `after`) is the book's current row, if that row exists. */
function captureStatement(db: Db, audit: Audit & { id: string }, column: 'before' | 'after') {
  const json = (value: unknown) => sql`${value}`
  return db.insert(auditLog).select(
    db
      .select({
        seq: sql<number>`NULL`.as('seq'),
        id: json(audit.id).as('id'),
        actorId: json(audit.actorId).as('actor_id'),
        action: json(audit.action).as('action'),
        targetType: sql<string>`'book'`.as('target_type'),
        targetId: books.id,
        before: (column === 'before' ? snapshot : sql`NULL`).as('before'),
        after: (column === 'after' ? snapshot : sql`NULL`).as('after'),
        createdAt: json(audit.now.getTime()).as('created_at'),
      })
      .from(books)
      .where(eq(books.id, audit.bookId)),
  )
}

/**
 * Audit statements around a book write, for the same batch, so the log and the change exist together or not at
 * all. `wrap(write)` returns [capture before, write, fill in after, drop the entry if the write changed nothing]:
 * a write that changed the row set its `updated_at` to `now`; a guarded write that matched nothing did not.
 */
export function auditedBookWrite(db: Db, audit: Audit, write: Statement): Statement[] {
  const entry = { ...audit, id: randomId('aud') }
  if (audit.action === 'book.create') return [write, captureStatement(db, entry, 'after')]
  if (audit.action === 'book.delete') return [captureStatement(db, entry, 'before'), write]
  return [
    captureStatement(db, entry, 'before'),
    write,
    db
      .update(auditLog)
      .set({ after: sql`(select ${snapshot} from ${books} where ${books.id} = ${audit.bookId})` })
      .where(eq(auditLog.id, entry.id)),
    db.delete(auditLog).where(
      and(
        eq(auditLog.id, entry.id),
        notExists(
          db
            .select({ one: sql`1` })
            .from(books)
            .where(and(eq(books.id, audit.bookId), eq(books.updatedAt, audit.now))),
        ),
      ),
    ),
  ]
}
