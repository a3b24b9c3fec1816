import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * A work: what an author wrote, independent of edition (Open Library's model). Each book row is one edition of a
 * work (one ISBN: a hardcover, a paperback, an e-book…); editions of a work list each other.
 */
export const works = sqliteTable('works', {
  seq: integer('seq').primaryKey(),
  id: text('id').notNull().unique(),
  title: text('title').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

/** A series of works ("The Lord of the Rings"); books carry their position in it. */
export const series = sqliteTable(
  'series',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    name: text('name').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [uniqueIndex('series_name_idx').on(table.name)],
)

export type WorkRow = typeof works.$inferSelect
export type SeriesRow = typeof series.$inferSelect
