import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Realtime events waiting for delivery (transactional outbox): written in the same batch as the change that causes
 * them, so a rolled-back write leaves no event; removed once the channel's Durable Object has stored the event.
 */
export const liveOutbox = sqliteTable('live_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  channel: text('channel').notNull(),
  event: text('event').notNull(),
  data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  occurredAt: integer('occurred_at', { mode: 'timestamp_ms' }).notNull(),
})
