// Works and editions: which work a book written with `editionOf` belongs to, and the works left without editions.
import { and, eq, isNull, ne, notExists, sql } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { books, works } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'

/** The work of a work's edition from its id, derived like migration 0009 does for existing books. */
export const ownWorkId = (bookId: string) => `wk_${bookId.slice(3)}`

/**
 * The work of the book named by `editionOf`, or a 422 pointing at the field. A book written around the API
 * without a work (a script's raw insert) first gets its own, in the same batch (`adopt`).
 */
export async function workOfEdition(
  db: Db,
  editionOf: string,
  now: Date,
): Promise<{ workId: string; adopt: Statement[] }> {
  const other = await db.query.books.findFirst({
    columns: { id: true, workId: true, title: true },
    where: eq(books.id, editionOf),
  })
  if (!other) {
    throw new ApiError(422, {
      title: 'Validation failed',
      detail: `No book has id ${editionOf}`,
      type: 'validation-error',
      errors: [{ pointer: '/body/editionOf', detail: 'Unknown book' }],
    })
  }
  if (other.workId) return { workId: other.workId, adopt: [] }
  const workId = ownWorkId(other.id)
  return {
    workId,
    adopt: [
      db
        .insert(works)
        .values({ id: workId, title: other.title, createdAt: now, updatedAt: now })
        .onConflictDoNothing(),
      db
        .update(books)
        .set({ workId })
        .where(and(eq(books.id, other.id), isNull(books.workId))),
    ],
  }
}

/**
 * `editionOf: null`: the edition leaves a shared work for a new one of its own (titled like the edition); an
 * edition already alone in its work keeps it.
 */
export async function workOfItsOwn(
  db: Db,
  id: string,
  current: { workId: string | null; title: string },
  now: Date,
): Promise<{ workId: string; adopt: Statement[] } | undefined> {
  if (current.workId) {
    const [sibling] = await db
      .select({ id: books.id })
      .from(books)
      .where(and(eq(books.workId, current.workId), ne(books.id, id)))
      .limit(1)
    if (!sibling) return undefined
  }
  const workId = randomId('wk')
  return {
    workId,
    adopt: [db.insert(works).values({ id: workId, title: current.title, createdAt: now, updatedAt: now })],
  }
}

/** Deletes a work that no book is an edition of any more (after a move or a delete, in the same batch). */
export function dropOrphanWork(db: Db, workId: string | null | undefined): Statement[] {
  if (!workId) return []
  return [
    db
      .delete(works)
      .where(
        and(
          eq(works.id, workId),
          notExists(db.select({ one: sql`1` }).from(books).where(eq(books.workId, workId))),
        ),
      ),
  ]
}
