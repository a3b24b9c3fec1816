import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The FTS5 index over books (drizzle/0001_books_fts.sql), declared for queries only: it lives outside
 * `schema/` so drizzle-kit never tries to create it as a plain table.
 */
export const booksFts = sqliteTable('books_fts', {
  rowid: integer('rowid').notNull(),
  /** FTS5's hidden bm25 column, weighted by the migration's `rank` setting. Lower is more relevant. */
  rank: real('rank').notNull(),
  title: text('title'),
  authors: text('authors'),
  description: text('description'),
})
