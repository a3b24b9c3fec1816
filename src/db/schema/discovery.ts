import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { books } from './books'

/**
 * Searches that found nothing, counted per normalised query for admins (GET /v1/admin/search/misses). No user, IP
 * or session is stored: only the text, how often and when first and last (GDPR art. 5(1)(c), data minimisation).
 */
export const searchMisses = sqliteTable(
  'search_misses',
  {
    query: text('query').primaryKey(),
    count: integer('count').notNull(),
    firstSeenAt: integer('first_seen_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('search_misses_count_idx').on(table.count)],
)

/**
 * "Customers who bought this also bought": pairs of books bought in the same paid orders by at least the minimum
 * number of distinct buyers, recomputed by the cron. `buyers` is that distinct-buyer count (the ranking score).
 */
export const bookRelations = sqliteTable(
  'book_relations',
  {
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    relatedBookId: text('related_book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    buyers: integer('buyers').notNull(),
    computedAt: integer('computed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.bookId, table.relatedBookId] }),
    index('book_relations_rank_idx').on(table.bookId, table.buyers),
  ],
)
