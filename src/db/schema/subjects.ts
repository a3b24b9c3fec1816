import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { books } from './books'

/**
 * The subject taxonomy (Fiction › Fantasy), managed by admins. `path` is the materialised path of ids from the
 * root, `/sb_a/sb_b/`, so "this subject and its descendants" is one indexed range scan (`path >= ? AND path < ?`
 * on the prefix) and moving a subtree is one UPDATE. `code` is an optional BISAC or Thema code, used by imports.
 */
export const subjects = sqliteTable(
  'subjects',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    name: text('name').notNull(),
    /** URL-friendly and unique among its siblings' slugs across the whole taxonomy. */
    slug: text('slug').notNull(),
    parentId: text('parent_id'),
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    code: text('code'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    uniqueIndex('subjects_slug_idx').on(table.slug),
    uniqueIndex('subjects_path_idx').on(table.path),
    uniqueIndex('subjects_code_idx').on(table.code),
    // As-you-type suggestions match a subject by the start of its name (GET /v1/search/suggest, migration 0010).
    index('subjects_name_idx').on(sql`${table.name} COLLATE NOCASE`),
    index('subjects_parent_idx').on(table.parentId),
    check('subjects_depth_non_negative', sql`depth >= 0`),
  ],
)

/** Which subjects a book is filed under (several per book). Deleting the book removes its rows. */
export const bookSubjects = sqliteTable(
  'book_subjects',
  {
    subjectId: text('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.subjectId, table.bookId] }),
    index('book_subjects_book_idx').on(table.bookId),
  ],
)

export type SubjectRow = typeof subjects.$inferSelect
