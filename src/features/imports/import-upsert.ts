import { and, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import {
  type BookRow,
  bookSubjects,
  books,
  importJobs,
  importRejects,
  orderLines,
  orders,
  subjects,
  works,
} from '../../db/schema'
import { chunks } from '../../lib/chunks'
import { randomId } from '../../lib/ids'
import { bookChangeStatements } from '../live'
import type { ImportBook, ImportReject } from './import-record'

/** D1 binds at most 100 parameters per statement: `IN (…)` lists and multi-row inserts stay below. */
const MAX_IN_LIST = 90
const REJECTS_PER_INSERT = 20

export type ChunkCounts = { created: number; updated: number; unchanged: number; rejected: number }

/** The columns an import sets, from a validated record; `undefined` (the feed said nothing) leaves a column as it is. */
function columnsOf(book: ImportBook) {
  return {
    title: book.title,
    authors: book.authors,
    language: book.language,
    publishedYear: book.publishedYear,
    priceAmount: book.priceAmount,
    currency: book.currency,
    description: book.description,
    releaseDate: book.releaseDate,
    stock: book.stock,
    publisher: book.publisher,
    format: book.format,
    pageCount: book.pageCount,
  }
}

/** Only what differs from the stored row: an unchanged book is not written at all (no catalog version bump). */
function changesFor(book: ImportBook, row: BookRow, held: number): Partial<ReturnType<typeof columnsOf>> {
  const changes: Record<string, unknown> = {}
  const wanted = {
    ...columnsOf(book),
    stock: book.stock === undefined ? undefined : Math.max(0, book.stock - held),
  }
  for (const [key, value] of Object.entries(wanted)) {
    if (value === undefined) continue
    const current = row[key as keyof BookRow]
    const same = Array.isArray(value) ? JSON.stringify(value) === JSON.stringify(current) : value === current
    if (!same) changes[key] = value
  }
  return changes
}

async function existingBooks(db: Db, isbns: string[]): Promise<Map<string, BookRow>> {
  const found = new Map<string, BookRow>()
  for (const part of chunks(isbns, MAX_IN_LIST)) {
    for (const row of await db.select().from(books).where(inArray(books.isbn, part))) found.set(row.isbn, row)
  }
  return found
}

/**
 * Order statuses whose copies, until the order ships (`shipped_at` still null), are in the warehouse but taken: checkout took them off `books.stock`
 * (copies available), and a cancel before shipping gives them back. A feed's stock is the warehouse's count, so
 * the copies these orders hold are subtracted from it: otherwise an import would hand the same copies out twice.
 */
const HOLDING_STOCK = ['pending_payment', 'paid', 'partially_refunded', 'refunded'] as const

/** Copies held by open orders, per book (orders_status_created_idx, then the order_lines primary key). */
async function heldCopies(db: Db, bookIds: string[]): Promise<Map<string, number>> {
  const held = new Map<string, number>()
  for (const part of chunks(bookIds, MAX_IN_LIST)) {
    const rows = await db
      .select({ bookId: orderLines.bookId, copies: sql<number>`sum(${orderLines.quantity})` })
      .from(orders)
      .innerJoin(orderLines, eq(orderLines.orderId, orders.id))
      .where(
        and(
          inArray(orders.status, [...HOLDING_STOCK]),
          isNull(orders.shippedAt),
          inArray(orderLines.bookId, part),
        ),
      )
      .groupBy(orderLines.bookId)
    for (const row of rows) held.set(row.bookId, Number(row.copies))
  }
  return held
}

/**
 * The stock column for a warehouse count, computed when the UPDATE runs (inside its transaction, so a checkout
 * committing between the chunk's reads and this write is counted, not overwritten): on hand minus held, never
 * below zero.
 */
function availableFromOnHand(onHand: number): SQL {
  return sql`max(0, ${onHand} - coalesce((select sum(${orderLines.quantity}) from ${orders} inner join ${orderLines} on ${orderLines.orderId} = ${orders.id} where ${orders.status} in (${sql.join(
    HOLDING_STOCK.map((status) => sql`${status}`),
    sql`, `,
  )}) and ${orders.shippedAt} is null and ${orderLines.bookId} = ${books.id}), 0))`
}

async function subjectIdsByCode(db: Db, codes: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (const part of chunks(codes, MAX_IN_LIST)) {
    const rows = await db
      .select({ id: subjects.id, code: subjects.code })
      .from(subjects)
      .where(inArray(subjects.code, part))
    for (const row of rows) if (row.code) found.set(row.code.toUpperCase(), row.id)
  }
  return found
}

async function filedSubjects(db: Db, bookIds: string[]): Promise<Map<string, Set<string>>> {
  const filed = new Map<string, Set<string>>()
  for (const part of chunks(bookIds, MAX_IN_LIST)) {
    const rows = await db.select().from(bookSubjects).where(inArray(bookSubjects.bookId, part))
    for (const row of rows) {
      const set = filed.get(row.bookId) ?? new Set<string>()
      set.add(row.subjectId)
      filed.set(row.bookId, set)
    }
  }
  return filed
}

/**
 * Applies one chunk of a job: reads the chunk's books by ISBN (and the subjects its codes name), compares, and
 * writes only what differs, in one batch with the chunk's rejects and the job's counters. A new ISBN becomes a
 * new work with this book as its edition. Subject codes that match no subject are ignored; a book's subjects are
 * replaced by the matched ones only when the feed names subjects for it. The counters move by compare-and-swap
 * on `processed_rows` (a redelivered chunk finds them moved and is skipped before this is called).
 */
export async function applyChunk(
  db: Db,
  job: { id: string; offset: number; finishes: boolean },
  chunk: { books: ImportBook[]; rejects: ImportReject[] },
): Promise<{ counts: ChunkCounts; applied: boolean }> {
  const now = new Date()
  const existing = await existingBooks(
    db,
    chunk.books.map((book) => book.isbn),
  )
  const codes = [...new Set(chunk.books.flatMap((book) => book.subjectCodes ?? []))]
  const subjectIds = codes.length > 0 ? await subjectIdsByCode(db, codes) : new Map<string, string>()
  const withSubjects = chunk.books
    .filter((book) => book.subjectCodes)
    .map((book) => existing.get(book.isbn)?.id)
  const filed = await filedSubjects(
    db,
    withSubjects.filter((id): id is string => !!id),
  )
  const held = await heldCopies(
    db,
    chunk.books.flatMap((book) => {
      const id = book.stock === undefined ? undefined : existing.get(book.isbn)?.id
      return id ? [id] : []
    }),
  )

  const statements: Statement[] = []
  const counts: ChunkCounts = { created: 0, updated: 0, unchanged: 0, rejected: chunk.rejects.length }
  for (const book of chunk.books) {
    const wanted = book.subjectCodes
      ? new Set(book.subjectCodes.map((code) => subjectIds.get(code)).filter((id): id is string => !!id))
      : undefined
    const row = existing.get(book.isbn)
    if (!row) {
      const bookId = randomId('bk')
      const workId = randomId('wk')
      statements.push(
        db.insert(works).values({ id: workId, title: book.title, createdAt: now, updatedAt: now }),
      )
      statements.push(
        db.insert(books).values({
          ...columnsOf(book),
          description: book.description ?? '',
          stock: book.stock ?? 0,
          id: bookId,
          isbn: book.isbn,
          workId,
          createdAt: now,
          updatedAt: now,
        }),
      )
      if (wanted && wanted.size > 0)
        statements.push(
          db.insert(bookSubjects).values([...wanted].map((subjectId) => ({ subjectId, bookId }))),
        )
      counts.created++
      continue
    }
    const changes = changesFor(book, row, held.get(row.id) ?? 0)
    const current = filed.get(row.id) ?? new Set<string>()
    const added = wanted ? [...wanted].filter((id) => !current.has(id)) : []
    const removed = wanted ? [...current].filter((id) => !wanted.has(id)) : []
    if (Object.keys(changes).length === 0 && added.length === 0 && removed.length === 0) {
      counts.unchanged++
      continue
    }
    // Live: price or availability changes reach the book's channel and the back office (features/live), written
    // before the UPDATE so they read the row as it was.
    if (changes.stock !== undefined || changes.priceAmount !== undefined || changes.currency !== undefined)
      statements.push(
        ...bookChangeStatements(
          db,
          {
            bookId: row.id,
            stockBefore: sql`${books.stock}`,
            stockAfter:
              changes.stock !== undefined && book.stock !== undefined
                ? availableFromOnHand(book.stock)
                : sql`${books.stock}`,
            priceAfter: changes.priceAmount !== undefined ? sql`${changes.priceAmount}` : undefined,
            currencyAfter: changes.currency !== undefined ? sql`${changes.currency}` : undefined,
          },
          now,
        ),
      )
    if (Object.keys(changes).length > 0)
      statements.push(
        db
          .update(books)
          .set({
            ...changes,
            ...(changes.stock !== undefined && book.stock !== undefined
              ? { stock: availableFromOnHand(book.stock) }
              : {}),
            updatedAt: now,
          })
          .where(eq(books.id, row.id)),
      )
    if (removed.length > 0)
      statements.push(
        db
          .delete(bookSubjects)
          .where(and(eq(bookSubjects.bookId, row.id), inArray(bookSubjects.subjectId, removed))),
      )
    if (added.length > 0)
      statements.push(
        db
          .insert(bookSubjects)
          .values(added.map((subjectId) => ({ subjectId, bookId: row.id })))
          .onConflictDoNothing(),
      )
    counts.updated++
  }
  for (const part of chunks(chunk.rejects, REJECTS_PER_INSERT)) {
    statements.push(
      db
        .insert(importRejects)
        .values(part.map((reject) => ({ jobId: job.id, ...reject })))
        .onConflictDoNothing(),
    )
  }
  const processed = chunk.books.length + chunk.rejects.length
  const counters = db
    .update(importJobs)
    .set({
      processedRows: sql`${importJobs.processedRows} + ${processed}`,
      createdRows: sql`${importJobs.createdRows} + ${counts.created}`,
      updatedRows: sql`${importJobs.updatedRows} + ${counts.updated}`,
      unchangedRows: sql`${importJobs.unchangedRows} + ${counts.unchanged}`,
      rejectedRows: sql`${importJobs.rejectedRows} + ${counts.rejected}`,
      updatedAt: now,
      ...(job.finishes ? { status: 'completed' as const, finishedAt: now } : {}),
    })
    .where(and(eq(importJobs.id, job.id), eq(importJobs.processedRows, job.offset)))
    .returning({ id: importJobs.id })
  statements.push(counters)
  const results = await runBatch(db, statements)
  const moved = (results.at(-1) as unknown[]).length > 0
  return { counts, applied: moved }
}
