import { sql } from 'drizzle-orm'
import { check, index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { series, works } from './works'

export const BOOK_FORMATS = ['hardcover', 'paperback', 'ebook', 'audiobook'] as const
export type BookFormat = (typeof BOOK_FORMATS)[number]

/**
 * A book in the catalog.
 * `seq` is the SQLite rowid alias: the FTS5 index (drizzle/0001_books_fts.sql) points at it, and it is the
 * stable tie-breaker of every cursor. Clients only ever see the opaque `id` (`bk_…`).
 */
export const books = sqliteTable(
  'books',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    isbn: text('isbn').notNull().unique(),
    title: text('title').notNull(),
    /** Stored as a JSON array; indexed for search and `?author=` by the FTS5 table. */
    authors: text('authors', { mode: 'json' }).$type<string[]>().notNull(),
    description: text('description').notNull().default(''),
    language: text('language').notNull(),
    publishedYear: integer('published_year').notNull(),
    priceAmount: integer('price_amount').notNull(),
    currency: text('currency').notNull(),
    stock: integer('stock').notNull().default(0),
    /**
     * The work this edition belongs to (Open Library's works and editions: one ISBN is one edition). Nullable in
     * the schema only because SQLite cannot add a NOT NULL column without a default; migration 0009 gave every
     * existing book its own work and the service always sets it.
     */
    workId: text('work_id').references(() => works.id),
    publisher: text('publisher'),
    format: text('format', { enum: BOOK_FORMATS }),
    pageCount: integer('page_count'),
    /** ISO 8601 calendar date (YYYY-MM-DD); sorts as text. */
    releaseDate: text('release_date'),
    seriesId: text('series_id').references(() => series.id),
    /** Position in the series; fractional for novellas between volumes (2.5). */
    seriesPosition: real('series_position'),
    /** The cover's R2 object key (versioned: a new upload gets a new key, so its URL can be cached as immutable). */
    coverKey: text('cover_key'),
    coverContentType: text('cover_content_type'),
    coverWidth: integer('cover_width'),
    coverHeight: integer('cover_height'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    check('books_stock_non_negative', sql`stock >= 0`),
    check('books_price_non_negative', sql`price_amount >= 0`),
    // One index per documented sort, with seq as the cursor's tie-breaker.
    index('books_title_idx').on(sql`${table.title} COLLATE NOCASE`, table.seq),
    index('books_price_idx').on(table.priceAmount, table.seq),
    index('books_published_year_idx').on(table.publishedYear, table.seq),
    index('books_created_at_idx').on(table.createdAt, table.seq),
    // Filters. Language leads, then the default sort (newest first), so `?language=` pages seek and stop after
    // one page instead of sorting every book in that language (test/query-plans.test.ts).
    index('books_language_created_at_idx').on(table.language, table.createdAt, table.seq),
    index('books_in_stock_idx').on(table.seq).where(sql`stock > 0`),
    index('books_work_idx').on(table.workId),
    index('books_series_idx').on(table.seriesId, table.seriesPosition),
    index('books_format_idx').on(table.format, table.seq),
    index('books_publisher_idx').on(sql`${table.publisher} COLLATE NOCASE`, table.seq),
  ],
)

export type BookRow = typeof books.$inferSelect
export type NewBookRow = typeof books.$inferInsert
