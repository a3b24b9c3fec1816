import { and, eq, gt, gte, inArray, lt, lte, notInArray, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { type Bind, literal } from '../../db/compiled'
import { bookSubjects, books, subjects } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { findSubject, subtreeRange } from '../subjects'
import type { ListBooksQuery } from './books-list.schemas'

/** Filters that need a lookup before the query is built: the subject's materialised path. */
export type ResolvedFilters = { subjectId?: string; subjectPath?: string }

/** The subject of `?subject=` (id or slug) resolved to its path, or a 400 naming the parameter. */
export async function resolveFilters(db: Db, query: ListBooksQuery): Promise<ResolvedFilters> {
  if (query.subject === undefined) return {}
  const subject = await findSubject(db, query.subject)
  if (!subject) {
    throw new ApiError(400, {
      title: 'Unknown subject',
      detail: `No subject has id or slug ${query.subject}`,
      errors: [{ pointer: '/query/subject', detail: 'Unknown subject; see GET /v1/subjects' }],
    })
  }
  return { subjectId: subject.id, subjectPath: subject.path }
}

/**
 * Books filed under a subject or any of its descendants: one range seek on subjects_path_idx, then the
 * book_subjects primary key (subject_id, book_id) per subject found.
 */
export function inSubjectTree(db: Db, path: string, bind: Bind = literal): SQL {
  const { from, to } = subtreeRange(path)
  return inArray(
    books.id,
    db
      .select({ bookId: bookSubjects.bookId })
      .from(subjects)
      .innerJoin(bookSubjects, eq(bookSubjects.subjectId, subjects.id))
      .where(and(gte(subjects.path, bind('subjectFrom', from)), lt(subjects.path, bind('subjectTo', to)))),
  )
}

const inStockBooks = alias(books, 'in_stock')

/**
 * The filters of a list request other than `q`/`author` (which go through FTS5), as SQL conditions, each value
 * through `bind` (src/db/compiled.ts). Whether `inStock` is given, and which way, is part of a statement's shape.
 */
export function filterConditions(
  db: Db,
  query: ListBooksQuery,
  resolved: ResolvedFilters,
  bind: Bind = literal,
): SQL[] {
  const conditions: (SQL | undefined)[] = [
    query.language ? eq(books.language, bind('language', query.language)) : undefined,
    query.minPrice !== undefined ? gte(books.priceAmount, bind('minPrice', query.minPrice)) : undefined,
    query.maxPrice !== undefined ? lte(books.priceAmount, bind('maxPrice', query.maxPrice)) : undefined,
    query.inStock === true ? gt(books.stock, 0) : undefined,
    // Sold out has no index of its own: it is the complement of books_in_stock_idx (partial, stock > 0), so the
    // books are read through whatever index the rest of the query uses, never a table scan for `stock = 0`.
    query.inStock === false
      ? notInArray(
          books.seq,
          db.select({ seq: inStockBooks.seq }).from(inStockBooks).where(gt(inStockBooks.stock, 0)),
        )
      : undefined,
    query.format ? eq(books.format, bind('format', query.format)) : undefined,
    // Case-insensitive, as books_publisher_idx is built (COLLATE NOCASE).
    query.publisher
      ? sql`${books.publisher} = ${bind('publisher', query.publisher)} COLLATE NOCASE`
      : undefined,
    query.series ? eq(books.seriesId, bind('series', query.series)) : undefined,
    resolved.subjectPath ? inSubjectTree(db, resolved.subjectPath, bind) : undefined,
  ]
  return conditions.filter((condition): condition is SQL => condition !== undefined)
}
