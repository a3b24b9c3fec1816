import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/**
 * An order. Money is integer minor units in one currency per order. `user_id` is nullable and has no foreign
 * key on purpose: account deletion anonymises orders (kept for accounting) instead of deleting them. The
 * `ship_*` columns are a copy of the delivery address, nulled on anonymisation.
 */
export const orders = sqliteTable(
  'orders',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    userId: text('user_id'),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    subtotalAmount: integer('subtotal_amount').notNull(),
    shippingAmount: integer('shipping_amount').notNull(),
    totalAmount: integer('total_amount').notNull(),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    shipName: text('ship_name'),
    shipLine1: text('ship_line1'),
    shipLine2: text('ship_line2'),
    shipCity: text('ship_city'),
    shipRegion: text('ship_region'),
    shipPostalCode: text('ship_postal_code'),
    shipCountry: text('ship_country'),
    shipPhone: text('ship_phone'),
    cancelReason: text('cancel_reason'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    paidAt: integer('paid_at', { mode: 'timestamp_ms' }),
    shippedAt: integer('shipped_at', { mode: 'timestamp_ms' }),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
    cancelledAt: integer('cancelled_at', { mode: 'timestamp_ms' }),
    /**
     * A fresh id written by every lifecycle transition's compare-and-swap; the transition's dependent writes in
     * the same batch are guarded by it (`… WHERE EXISTS (… transition_id = ?)`), so they apply only if it won.
     */
    transitionId: text('transition_id'),
    /**
     * SHA-256 of the customer's id and the checkout's Idempotency-Key: a retry that takes over an abandoned key
     * (the isolate died after this order's batch) finds the order and completes it instead of checking out an
     * empty cart. Nulled on anonymisation.
     */
    checkoutKey: text('checkout_key'),
  },
  (table) => [
    check(
      'orders_status_valid',
      sql`status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded')`,
    ),
    check('orders_total_consistent', sql`total_amount = subtotal_amount + shipping_amount`),
    // The last line of defence for "refunds never exceed what was paid".
    check('orders_refund_within_total', sql`refunded_amount >= 0 AND refunded_amount <= total_amount`),
    index('orders_user_idx').on(table.userId, table.seq),
    index('orders_status_created_idx').on(table.status, table.createdAt),
    index('orders_created_idx').on(table.createdAt, table.seq),
    uniqueIndex('orders_checkout_key_idx').on(table.checkoutKey),
  ],
)

/** What was bought: title and unit price are snapshots taken at checkout. No FK to books: history outlives the catalog. */
export const orderLines = sqliteTable(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    bookId: text('book_id').notNull(),
    title: text('title').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.bookId] }),
    check('order_lines_quantity_positive', sql`quantity > 0`),
  ],
)

export type OrderRow = typeof orders.$inferSelect
export type OrderLineRow = typeof orderLines.$inferSelect
