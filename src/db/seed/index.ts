import { count } from 'drizzle-orm'
import { chunks } from '../../lib/chunks'
import type { Db } from '../client'
import { books, type NewBookRow, works } from '../schema'
import { demoBooks } from './demo-books'
import { generatedBook } from './generate'
import { seedDemoFilings, seedGeneratedFilings } from './subjects'

export { demoBooks } from './demo-books'
export { generatedBook } from './generate'
export { generatedFiling, generatedSubjects } from './subjects'

// D1 binds at most 100 parameters per statement: 15 columns × 6 rows stays under it.
const ROWS_PER_STATEMENT = 6
const STATEMENTS_PER_BATCH = 50

/**
 * Inserts rows in multi-row statements, batched; rows whose ISBN already exists are skipped. Each book without a
 * work becomes the one edition of its own work (`wk_` + the book id's suffix, as migration 0009 derives it).
 */
export async function insertBooks(db: Db, rows: Omit<NewBookRow, 'seq'>[]): Promise<void> {
  const withWorks = rows.map((row) => ({ ...row, workId: row.workId ?? `wk_${row.id.slice(3)}` }))
  const statements = chunks(withWorks, ROWS_PER_STATEMENT).flatMap((chunk) => [
    db
      .insert(works)
      .values(
        chunk.map((row) => ({
          id: row.workId,
          title: row.title,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
        })),
      )
      .onConflictDoNothing(),
    db.insert(books).values(chunk).onConflictDoNothing(),
  ])
  for (const [first, ...rest] of chunks(statements, STATEMENTS_PER_BATCH)) {
    if (first) await db.batch([first, ...rest])
  }
}

export async function countBooks(db: Db): Promise<number> {
  const [row] = await db.select({ value: count() }).from(books)
  return row?.value ?? 0
}

/** The demo catalog as rows, with deterministic ids and timestamps. */
export function demoBookRows(now = Date.UTC(2026, 10, 1)): Omit<NewBookRow, 'seq'>[] {
  return demoBooks().map((book, index) => {
    const createdAt = new Date(now - index * 3_600_000)
    const { id } = generatedBook(1_000_000 + index)
    return {
      id,
      isbn: book.isbn,
      title: book.title,
      authors: book.authors,
      description: book.description,
      language: book.language,
      publishedYear: book.publishedYear,
      priceAmount: book.price.amount,
      currency: book.price.currency,
      stock: book.stock,
      // The programming books as e-books, the rest as paperbacks: something for the format facet to count.
      format: book.authors.some((author) => DEMO_EBOOK_AUTHORS.has(author)) ? 'ebook' : 'paperback',
      createdAt,
      updatedAt: createdAt,
    }
  })
}

const DEMO_EBOOK_AUTHORS = new Set(['Andrew Hunt', 'Robert C. Martin', 'Martin Kleppmann'])

/** Loads the demo catalog into an empty database; returns how many books were added. */
export async function seedDemoCatalog(db: Db): Promise<number> {
  if ((await countBooks(db)) > 0) return 0
  const rows = demoBookRows()
  await insertBooks(db, rows)
  await seedDemoFilings(db, rows)
  return rows.length
}

/**
 * `count` generated books (the same rows for the same count), each the edition of its own work, filed under a
 * small generated subject taxonomy (src/db/seed/subjects.ts), so facets and subject filters have data.
 */
export async function seedGeneratedCatalog(db: Db, total: number): Promise<void> {
  const rows = Array.from({ length: total }, (_, index) => generatedBook(index))
  await insertBooks(db, rows)
  await seedGeneratedFilings(
    db,
    rows.map((row) => row.id),
  )
}
