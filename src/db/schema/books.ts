import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

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
  ],
)

export type BookRow = typeof books.$inferSelect
export type NewBookRow = typeof books.$inferInsert
