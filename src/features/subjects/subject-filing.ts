import { and, eq, exists, inArray, type SQL, sql } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { bookSubjects, books, subjects } from '../../db/schema'
import type { SubjectRef } from './subjects.schemas'

/** Filing books under subjects: used by the books feature and the catalogue import. */

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base' })

/** The ids among `ids` that name no subject. */
export async function unknownSubjectIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const found = await db
    .select({ id: subjects.id })
    .from(subjects)
    .where(inArray(subjects.id, [...ids]))
  const known = new Set(found.map((row) => row.id))
  return ids.filter((id) => !known.has(id))
}

/**
 * Statements that make `subjectIds` the book's complete filing, for the same batch as the book write: the old rows
 * go, one row per existing subject comes in, and nothing is inserted if the book does not exist. `onlyIf` makes
 * both depend on an earlier statement of the batch (a guarded book update that matched nothing changes nothing).
 */
export function fileBookStatements(
  db: Db,
  bookId: string,
  subjectIds: readonly string[],
  onlyIf?: SQL,
): Statement[] {
  const remove = db.delete(bookSubjects).where(and(eq(bookSubjects.bookId, bookId), onlyIf))
  if (subjectIds.length === 0) return [remove]
  const insert = db.insert(bookSubjects).select(
    db
      .select({ subjectId: subjects.id, bookId: sql<string>`${bookId}`.as('book_id') })
      .from(subjects)
      .where(
        and(
          inArray(subjects.id, [...subjectIds]),
          exists(db.select({ one: sql`1` }).from(books).where(eq(books.id, bookId))),
          onlyIf,
        ),
      ),
  )
  return [remove, insert]
}

/** The subjects of each book (by name), for book views: one indexed read over book_subjects_book_idx. */
export async function subjectsOfBooks(
  db: Db,
  bookIds: readonly string[],
): Promise<Map<string, SubjectRef[]>> {
  const byBook = new Map<string, SubjectRef[]>()
  if (bookIds.length === 0) return byBook
  const rows = await db
    .select({ bookId: bookSubjects.bookId, id: subjects.id, name: subjects.name, slug: subjects.slug })
    .from(bookSubjects)
    .innerJoin(subjects, eq(subjects.id, bookSubjects.subjectId))
    .where(inArray(bookSubjects.bookId, [...bookIds]))
  for (const row of rows.sort(byName)) {
    const list = byBook.get(row.bookId) ?? []
    list.push({ id: row.id, name: row.name, slug: row.slug })
    byBook.set(row.bookId, list)
  }
  return byBook
}
