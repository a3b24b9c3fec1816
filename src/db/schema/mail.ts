import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const MAIL_STATUSES = ['pending', 'sent', 'dead'] as const

/**
 * The transactional outbox: a mail is written in the same batch as the change that causes it, then delivered by
 * the queue consumer. `nextAttemptAt` is both the retry backoff and the delivery lease; `dead` after the last try.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    /** The account the mail is about (null for none): account deletion erases its mail by this, whatever `to`. */
    userId: text('user_id'),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    status: text('status', { enum: MAIL_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (table) => [
    index('mail_outbox_due_idx').on(table.status, table.nextAttemptAt),
    index('mail_outbox_to_idx').on(table.to),
    index('mail_outbox_user_idx').on(table.userId),
  ],
)

export type MailRow = typeof mailOutbox.$inferSelect
