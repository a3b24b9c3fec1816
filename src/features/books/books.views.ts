import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type BookRow, books } from '../../db/schema'
import type { SubjectRef } from '../subjects'
import type { Book } from './books.schemas'
import { coverUrl } from './cover-url'

/** What a book view needs beyond its row: where covers are served (PUBLIC_API_URL). */
export type ViewOptions = { publicApiUrl: string }

type Extras = { seriesName: string | null; subjects: SubjectRef[] | string | null }

/**
 * What a list row carries beside the book, read by the list query itself (correlated subqueries over
 * book_subjects_book_idx and the series primary key), so a page costs one round trip, not three.
 */
export function listExtras() {
  // Written out: the outer `books` must be named explicitly, and drizzle leaves columns of a single-table select
  // unqualified. Static SQL, no user input.
  return {
    subjects: sql<
      string | null
    >`(select json_group_array(json_object('id', filed_subject.id, 'name', filed_subject.name, 'slug', filed_subject.slug)) from book_subjects filed inner join subjects filed_subject on filed_subject.id = filed.subject_id where filed.book_id = "books"."id")`,
    seriesName: sql<
      string | null
    >`(select named_series.name from series named_series where named_series.id = "books"."series_id")`,
  }
}

export type ListExtras = { subjects: string | null; seriesName: string | null }

const byName = (a: SubjectRef, b: SubjectRef) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' })

/** Subjects as read by `listExtras` (a JSON array) or already parsed. */
function subjectList(value: SubjectRef[] | string | null): SubjectRef[] {
  if (Array.isArray(value)) return value
  return value ? (JSON.parse(value) as SubjectRef[]).sort(byName) : []
}

export function toBook(row: BookRow, extras: Extras, view: ViewOptions): Book {
  return {
    id: row.id,
    isbn: row.isbn,
    title: row.title,
    authors: row.authors,
    description: row.description,
    language: row.language,
    publishedYear: row.publishedYear,
    price: { amount: row.priceAmount, currency: row.currency },
    stock: row.stock,
    inStock: row.stock > 0,
    // Migration 0009 gave every existing book a work and every write sets one; a row written around the API
    // (a script) without one is still its own work.
    workId: row.workId ?? `wk_${row.id.slice(3)}`,
    publisher: row.publisher,
    format: row.format,
    pageCount: row.pageCount,
    releaseDate: row.releaseDate,
    series:
      row.seriesId && extras.seriesName !== null
        ? { id: row.seriesId, name: extras.seriesName, position: row.seriesPosition }
        : null,
    subjects: subjectList(extras.subjects),
    coverUrl: coverUrl(view.publicApiUrl, row.coverKey),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** Book views for rows: their subjects and series names in one indexed read for the whole page (the list's extras). */
export async function toBooks(db: Db, rows: BookRow[], view: ViewOptions): Promise<Book[]> {
  if (rows.length === 0) return []
  const extras = await db
    .select({ id: books.id, ...listExtras() })
    .from(books)
    .where(
      inArray(
        books.id,
        rows.map((row) => row.id),
      ),
    )
  const byId = new Map(extras.map((row) => [row.id, row]))
  return rows.map((row) => toBook(row, byId.get(row.id) ?? { seriesName: null, subjects: null }, view))
}

const FORMAT_ORDER = ['hardcover', 'paperback', 'ebook', 'audiobook']

/** The other editions of the work of book `id`, for "also as e-book / hardcover" (books_work_idx). */
function editionsStatement(db: Db, id: string) {
  return db
    .select({
      id: books.id,
      isbn: books.isbn,
      format: books.format,
      priceAmount: books.priceAmount,
      currency: books.currency,
      stock: books.stock,
    })
    .from(books)
    .where(and(sql`${books.workId} = (select "work_id" from "books" where "id" = ${id})`, ne(books.id, id)))
    .orderBy(asc(books.seq))
    .limit(50)
}

type EditionRow = Awaited<ReturnType<typeof editionsStatement>>[number]

function toEditions(rows: EditionRow[]) {
  const rank = (format: string | null) => (format ? FORMAT_ORDER.indexOf(format) : FORMAT_ORDER.length)
  return [...rows]
    .sort((a, b) => rank(a.format) - rank(b.format))
    .map((edition) => ({
      id: edition.id,
      isbn: edition.isbn,
      format: edition.format,
      price: { amount: edition.priceAmount, currency: edition.currency },
      inStock: edition.stock > 0,
    }))
}

/**
 * The single-book answer by id: the book with its subjects and series (the list query's own extras) and the other
 * editions of its work, in one batch (one round trip); null when no book has that id.
 */
export async function bookDetailById(db: Db, id: string, view: ViewOptions) {
  const [rows, editions] = await db.batch([
    db
      .select({ book: books, ...listExtras() })
      .from(books)
      .where(eq(books.id, id)),
    editionsStatement(db, id),
  ])
  const row = rows[0]
  return row ? { ...toBook(row.book, row, view), editions: toEditions(editions) } : null
}

/**
 * The single-book answer for a row just written (its `RETURNING` row): the book as this write left it, with its
 * subjects, series and the other editions of its work read in one batch. Re-reading the book itself could show a
 * concurrent write's state instead of this one's.
 */
export async function toBookDetail(db: Db, row: BookRow, view: ViewOptions) {
  const [extras, editions] = await db.batch([
    db.select(listExtras()).from(books).where(eq(books.id, row.id)),
    editionsStatement(db, row.id),
  ])
  return {
    ...toBook(row, extras[0] ?? { seriesName: null, subjects: null }, view),
    editions: toEditions(editions),
  }
}
