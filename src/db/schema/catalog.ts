import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable } from 'drizzle-orm/sqlite-core'

/**
 * One row holding the catalog's version. Triggers on `books` (drizzle/*_catalog_version_triggers.sql) bump it on
 * every insert, update and delete, in the same transaction as the change: admin edits, stock changes from
 * checkout and seeding alike. The edge cache keys every catalog response by this number, so one bump retires
 * every cached page at once (the Cache API cannot purge by prefix).
 */
export const catalogState = sqliteTable(
  'catalog_state',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
  },
  () => [check('catalog_state_single_row', sql`id = 1`)],
)
