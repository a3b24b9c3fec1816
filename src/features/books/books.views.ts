import { and, asc, eq, inArray, ne } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type BookRow, books, series } from '../../db/schema'
import { type SubjectRef, subjectsOfBooks } from '../subjects'
import type { Book } from './books.schemas'
import { coverUrl } from './cover-url'

/** What a book view needs beyond its row: where covers are served (PUBLIC_API_URL). */
export type ViewOptions = { publicApiUrl: string }

type Extras = { seriesName: string | null; subjects: SubjectRef[] }

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
    subjects: extras.subjects,
    coverUrl: coverUrl(view.publicApiUrl, row.coverKey),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** Book views for rows: their subjects and series names in two indexed reads for the whole page. */
export async function toBooks(db: Db, rows: BookRow[], view: ViewOptions): Promise<Book[]> {
  const seriesIds = [...new Set(rows.flatMap((row) => (row.seriesId ? [row.seriesId] : [])))]
  const [subjectsByBook, seriesRows] = await Promise.all([
    subjectsOfBooks(
      db,
      rows.map((row) => row.id),
    ),
    seriesIds.length
      ? db.select({ id: series.id, name: series.name }).from(series).where(inArray(series.id, seriesIds))
      : Promise.resolve([]),
  ])
  const seriesNames = new Map(seriesRows.map((row) => [row.id, row.name]))
  return rows.map((row) =>
    toBook(
      row,
      {
        seriesName: row.seriesId ? (seriesNames.get(row.seriesId) ?? null) : null,
        subjects: subjectsByBook.get(row.id) ?? [],
      },
      view,
    ),
  )
}

const FORMAT_ORDER = ['hardcover', 'paperback', 'ebook', 'audiobook']

/** The other editions of a book's work, for "also as e-book / hardcover" (books_work_idx). */
export async function editionsOf(db: Db, row: BookRow) {
  if (!row.workId) return []
  const rows = await db
    .select({
      id: books.id,
      isbn: books.isbn,
      format: books.format,
      priceAmount: books.priceAmount,
      currency: books.currency,
      stock: books.stock,
    })
    .from(books)
    .where(and(eq(books.workId, row.workId), ne(books.id, row.id)))
    .orderBy(asc(books.seq))
    .limit(50)
  const rank = (format: string | null) => (format ? FORMAT_ORDER.indexOf(format) : FORMAT_ORDER.length)
  return rows
    .sort((a, b) => rank(a.format) - rank(b.format))
    .map((edition) => ({
      id: edition.id,
      isbn: edition.isbn,
      format: edition.format,
      price: { amount: edition.priceAmount, currency: edition.currency },
      inStock: edition.stock > 0,
    }))
}

/** The single-book answer: the book and the other editions of its work. */
export async function toBookDetail(db: Db, row: BookRow, view: ViewOptions) {
  const [[book], editions] = await Promise.all([toBooks(db, [row], view), editionsOf(db, row)])
  return { ...book!, editions }
}
