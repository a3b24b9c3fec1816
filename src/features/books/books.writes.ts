import { and, eq, gte, or, type SQL, sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { type BookRow, bookRelations, bookSubjects, books, series, works } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { bookChangeStatements, bookDeletedStatements } from '../live'
import { fileBookStatements, unknownSubjectIds } from '../subjects'
import { auditedBookWrite } from './books.audit'
import type { BookCreate, BookUpdate } from './books.schemas'
import { toBookDetail, type ViewOptions } from './books.views'
import { dropOrphanWork, ownWorkId, workOfEdition, workOfItsOwn } from './books.works'

const notFound = (id: string) =>
  new ApiError(404, { title: 'Book not found', detail: `No book has id ${id}` })

const duplicateIsbn = (isbn: string) =>
  new ApiError(409, {
    title: 'Duplicate ISBN',
    detail: `A book with ISBN ${isbn} already exists`,
    errors: [{ pointer: '/body/isbn', detail: 'Already in the catalog' }],
  })

const invalid = (detail: string, errors: { pointer: string; detail: string }[]) =>
  new ApiError(422, { title: 'Validation failed', detail, type: 'validation-error', errors })

/** Refuses subject ids that name no subject, pointing at each. */
async function checkSubjects(db: Db, subjectIds: readonly string[] | undefined): Promise<void> {
  if (!subjectIds?.length) return
  const unknown = await unknownSubjectIds(db, subjectIds)
  if (unknown.length === 0) return
  throw invalid(
    `No subject has id ${unknown.join(', ')}`,
    unknown.map((id) => ({
      pointer: `/body/subjectIds/${subjectIds.indexOf(id)}`,
      detail: 'Unknown subject',
    })),
  )
}

/** The series named in a write: created on first use (by its unique name), referenced by a subquery. */
function seriesStatements(db: Db, input: { name: string } | null | undefined, now: Date) {
  if (!input) return { statements: [] as Statement[], seriesId: input === null ? null : undefined }
  const upsert = db
    .insert(series)
    .values({ id: randomId('sr'), name: input.name, createdAt: now })
    .onConflictDoNothing({ target: series.name })
  const seriesId = sql`(select ${series.id} from ${series} where ${series.name} = ${input.name})`
  return { statements: [upsert] as Statement[], seriesId }
}

type Audit = Parameters<typeof auditedBookWrite>[1]

/**
 * One batch: `before`, the write with its audit entry (when an admin made it), `after`. Returns the write's own
 * result.
 */
async function writeAudited(
  db: Db,
  write: Statement,
  audit: Audit | undefined,
  before: Statement[] = [],
  after: Statement[] = [],
) {
  const audited = audit ? auditedBookWrite(db, audit, write) : [write]
  const statements = [...before, ...audited, ...after]
  return (await runBatch(db, statements))[statements.indexOf(write)]
}

/**
 * Creates a book (one edition) in one batch: its own new work, or the work of `editionOf`; its series, created
 * on first use; its subjects.
 */
export async function createBook(db: Db, input: BookCreate, view: ViewOptions, actorId?: string) {
  const now = new Date()
  const id = randomId('bk')
  const edition = input.editionOf ? await workOfEdition(db, input.editionOf, now) : undefined
  const workId = edition?.workId ?? ownWorkId(id)
  await checkSubjects(db, input.subjectIds)
  const before: Statement[] = [...(edition?.adopt ?? [])]
  if (!edition) {
    before.push(db.insert(works).values({ id: workId, title: input.title, createdAt: now, updatedAt: now }))
  }
  const { statements: seriesWrites, seriesId } = seriesStatements(db, input.series, now)
  before.push(...seriesWrites)
  const insert = db
    .insert(books)
    .values({
      id,
      isbn: input.isbn,
      title: input.title,
      authors: input.authors,
      description: input.description,
      language: input.language,
      publishedYear: input.publishedYear,
      priceAmount: input.price.amount,
      currency: input.price.currency,
      stock: input.stock,
      workId,
      publisher: input.publisher ?? null,
      format: input.format ?? null,
      pageCount: input.pageCount ?? null,
      releaseDate: input.releaseDate ?? null,
      seriesId: (seriesId as SQL | undefined) ?? null,
      seriesPosition: input.series?.position ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  const after = input.subjectIds ? fileBookStatements(db, id, input.subjectIds) : []
  try {
    const rows = (await writeAudited(
      db,
      insert,
      actorId ? { actorId, action: 'book.create', bookId: id, now } : undefined,
      before,
      after,
    )) as BookRow[]
    return await toBookDetail(db, rows[0]!, view)
  } catch (error) {
    if (isUniqueViolation(error, 'books.isbn')) throw duplicateIsbn(input.isbn)
    throw error
  }
}

export async function updateBook(db: Db, id: string, input: BookUpdate, view: ViewOptions, actorId?: string) {
  const { price, stockAdjustment, series: seriesInput, subjectIds, editionOf, ...fields } = input
  const now = new Date()
  const current =
    editionOf !== undefined
      ? await db.query.books.findFirst({ columns: { workId: true, title: true }, where: eq(books.id, id) })
      : undefined
  if (editionOf !== undefined && !current) throw notFound(id)
  const edition =
    editionOf === null
      ? await workOfItsOwn(db, id, current!, now)
      : editionOf !== undefined
        ? await workOfEdition(db, editionOf, now)
        : undefined
  const workId = edition?.workId
  await checkSubjects(db, subjectIds)
  const { statements: seriesStatementsList, seriesId } = seriesStatements(db, seriesInput, now)
  const seriesWrites = [...(edition?.adopt ?? []), ...seriesStatementsList]
  const changes = {
    ...fields,
    ...(price ? { priceAmount: price.amount, currency: price.currency } : {}),
    ...(stockAdjustment !== undefined ? { stock: sql`${books.stock} + ${stockAdjustment}` } : {}),
    ...(seriesId !== undefined ? { seriesId, seriesPosition: seriesInput?.position ?? null } : {}),
    ...(workId !== undefined ? { workId } : {}),
    updatedAt: now,
  }
  // A relative adjustment is one conditional UPDATE: it cannot lose a concurrent checkout's reservation, and it
  // refuses to take stock below zero instead of failing on the CHECK constraint.
  const guard = stockAdjustment !== undefined ? gte(sql`${books.stock} + ${stockAdjustment}`, 0) : undefined
  // The filing changes only if the book row did (it now carries this write's updated_at).
  const applied = sql`exists (select 1 from ${books} where ${books.id} = ${id} and ${books.updatedAt} = ${now.getTime()})`
  const after = [
    ...(subjectIds ? fileBookStatements(db, id, subjectIds, applied) : []),
    ...(workId !== undefined && workId !== current?.workId ? dropOrphanWork(db, current?.workId) : []),
  ]
  // Live: availability or price changes reach the book's channel, low stock the back office (features/live);
  // read before the UPDATE, with its guard, so they exist only if it applies.
  const live =
    price || stockAdjustment !== undefined || fields.stock !== undefined
      ? bookChangeStatements(
          db,
          {
            bookId: id,
            stockBefore: sql`${books.stock}`,
            stockAfter:
              stockAdjustment !== undefined
                ? sql`(${books.stock} + ${stockAdjustment})`
                : fields.stock !== undefined
                  ? sql`${fields.stock}`
                  : sql`${books.stock}`,
            priceAfter: price ? sql`${price.amount}` : undefined,
            currencyAfter: price ? sql`${price.currency}` : undefined,
            when: guard,
          },
          now,
        )
      : []
  let row: BookRow | undefined
  try {
    const update = db
      .update(books)
      .set(changes)
      .where(and(eq(books.id, id), guard))
      .returning()
    ;[row] = (await writeAudited(
      db,
      update,
      actorId ? { actorId, action: 'book.update', bookId: id, now } : undefined,
      [...live, ...seriesWrites],
      after,
    )) as BookRow[]
  } catch (error) {
    if (input.isbn && isUniqueViolation(error, 'books.isbn')) throw duplicateIsbn(input.isbn)
    throw error
  }
  if (row) return await toBookDetail(db, row, view)
  const exists = await db.query.books.findFirst({ columns: { stock: true }, where: eq(books.id, id) })
  if (!exists) throw notFound(id)
  throw new ApiError(409, {
    title: 'Not enough stock',
    detail: `Stock is ${exists.stock}; an adjustment of ${stockAdjustment} would take it below zero`,
    errors: [{ pointer: '/body/stockAdjustment', detail: `At least ${-exists.stock}` }],
  })
}

/**
 * Deletes a book with what hangs off it, in one batch: its subject filings and related-book pairs (explicitly:
 * libSQL and D1 may not enforce ON DELETE CASCADE), and its work when it was the last edition.
 */
/** Deletes the book; returns its cover's R2 key (the caller deletes the object once this has committed). */
export async function deleteBook(db: Db, id: string, actorId?: string): Promise<{ coverKey: string | null }> {
  const current = await db.query.books.findFirst({ columns: { workId: true }, where: eq(books.id, id) })
  if (!current) throw notFound(id)
  const remove = db
    .delete(books)
    .where(eq(books.id, id))
    .returning({ id: books.id, coverKey: books.coverKey })
  const now = new Date()
  const dependents: Statement[] = [
    // Live: the book's channel hears it is gone (features/live), guarded by the row still existing.
    ...bookDeletedStatements(db, id, now),
    db.delete(bookSubjects).where(eq(bookSubjects.bookId, id)),
    db.delete(bookRelations).where(or(eq(bookRelations.bookId, id), eq(bookRelations.relatedBookId, id))),
  ]
  const deleted = (await writeAudited(
    db,
    remove,
    actorId ? { actorId, action: 'book.delete', bookId: id, now } : undefined,
    dependents,
    dropOrphanWork(db, current.workId),
  )) as { id: string; coverKey: string | null }[]
  if (deleted.length === 0) throw notFound(id)
  return { coverKey: deleted[0]!.coverKey }
}
