import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { orders } from './orders'

export const PAYMENT_STATUSES = ['creating', 'requires_payment', 'succeeded', 'failed', 'canceled'] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]

/**
 * One payment attempt at the gateway. The row is written before the gateway is called and its id is the
 * gateway's idempotency key (as Medusa does), so a retried call can never create a second intent.
 */
export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['stripe', 'local'] }).notNull(),
    intentId: text('intent_id').unique(),
    clientSecret: text('client_secret'),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    check(
      'payments_status_valid',
      sql`status IN ('creating', 'requires_payment', 'succeeded', 'failed', 'canceled')`,
    ),
    index('payments_order_idx').on(table.orderId),
  ],
)

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]

/**
 * A refund: written in the same batch as the order transition that owes the money, before the gateway is called;
 * the row id is the gateway's idempotency key. `pending` until the gateway confirms it (`succeeded`); `failed`
 * after a failed attempt. The cron job resends pending and failed rows whose `next_attempt_at` is due, with
 * backoff, until confirmed; `provider_refund_id` set means the gateway accepted it (never resent).
 */
export const refunds = sqliteTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    paymentId: text('payment_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: REFUND_STATUSES }).notNull(),
    providerRefundId: text('provider_refund_id'),
    attempts: integer('attempts').notNull().default(0),
    /** When the next send may start; a sender claims the row by moving it forward (a lease). */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
    /** The last failure's kind and gateway code, never a message or value. */
    lastError: text('last_error'),
    reason: text('reason'),
    createdBy: text('created_by'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    check('refunds_amount_positive', sql`amount > 0`),
    index('refunds_order_idx').on(table.orderId),
    index('refunds_status_due_idx').on(table.status, table.nextAttemptAt),
    index('refunds_status_created_idx').on(table.status, table.createdAt),
    // Account deletion finds the refunds an account created (to drop the link) without a scan.
    index('refunds_created_by_idx').on(table.createdBy),
  ],
)

/** Gateway webhook events already applied: a replay finds its id here and changes nothing. */
export const webhookEvents = sqliteTable('webhook_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  processedAt: integer('processed_at', { mode: 'timestamp_ms' }).notNull(),
})

export type PaymentRow = typeof payments.$inferSelect
export type RefundRow = typeof refunds.$inferSelect
