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

/**
 * The vocabulary of titles and author names (drizzle/0010_search_trigram.sql): each distinct word and how many
 * books use it, kept by triggers on books. Declared here, outside `schema/`, because only triggers write it.
 */
export const searchTerms = sqliteTable('search_terms', {
  id: integer('id').primaryKey(),
  term: text('term').notNull(),
  books: integer('books').notNull(),
})

/** The trigram FTS5 index over `search_terms.term` (external content, rowid = search_terms.id). */
export const searchTermsTrigram = sqliteTable('search_terms_trigram', {
  rowid: integer('rowid').notNull(),
  rank: real('rank').notNull(),
  term: text('term'),
})

/** Titles only (drizzle/0010_search_trigram.sql), for suggestions: rowid = books.seq. */
export const booksTitleFts = sqliteTable('books_title_fts', {
  rowid: integer('rowid').notNull(),
  title: text('title'),
})

/** Each distinct author name and how many books name it, kept by triggers on books (0010). */
export const searchAuthors = sqliteTable('search_authors', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  books: integer('books').notNull(),
})

/** The word index over author names (external content, rowid = search_authors.id), for suggestions. */
export const searchAuthorsFts = sqliteTable('search_authors_fts', {
  rowid: integer('rowid').notNull(),
  name: text('name'),
})
