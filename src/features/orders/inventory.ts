import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { books, type OrderStatus, orders } from '../../db/schema'

type Line = { bookId: string; quantity: number }

/**
 * Takes stock for each line. The decrement is unconditional on purpose: the `books_stock_non_negative` CHECK
 * constraint fails the statement when a line is short, and with it the whole batch (D1 and libSQL run a batch
 * as one transaction), so either every line is reserved or none is. RETURNING tells whether the book existed.
 */
export function reserveStockStatements(db: Db, lines: Line[], now: Date) {
  return lines.map((line) =>
    db
      .update(books)
      .set({ stock: sql`${books.stock} - ${line.quantity}`, updatedAt: now })
      .where(eq(books.id, line.bookId))
      .returning({ id: books.id }),
  )
}

/**
 * Gives an order's stock back, but only while the order is still in `whileStatus`. Put these before the
 * statement that moves the order out of that status, in the same batch: the release and the transition then
 * happen together or not at all, and a second attempt (a race with the webhook or the cron job) releases nothing.
 */
export function releaseStockStatements(
  db: Db,
  orderId: string,
  lines: Line[],
  whileStatus: OrderStatus,
  now: Date,
) {
  return lines.map((line) =>
    db
      .update(books)
      .set({ stock: sql`${books.stock} + ${line.quantity}`, updatedAt: now })
      .where(
        and(
          eq(books.id, line.bookId),
          sql`exists (select 1 from ${orders} where ${orders.id} = ${orderId} and ${orders.status} = ${whileStatus})`,
        ),
      ),
  )
}
