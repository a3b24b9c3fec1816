import { sql } from 'drizzle-orm'
import { check, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { books } from './books'

/**
 * A customer's cart is the set of their cart items (one row per book). Prices are not stored: the cart always
 * shows current prices, and checkout snapshots them into order lines.
 */
export const cartItems = sqliteTable(
  'cart_items',
  {
    userId: text('user_id').notNull(),
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    quantity: integer('quantity').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.bookId] }),
    check('cart_items_quantity_positive', sql`quantity > 0`),
  ],
)

export type CartItemRow = typeof cartItems.$inferSelect
