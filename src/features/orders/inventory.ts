import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { books } from '../../db/schema'
import { stockChangedStatements } from '../live'

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
 * Gives an order's stock back, but only if `won` holds: the condition that the transition moving the order out
 * of its stock-holding state won its compare-and-swap earlier in the same batch (order-lifecycle.ts). The
 * release and the transition then happen together or not at all, and a competing transition releases nothing.
 */
export function releaseStockStatements(db: Db, lines: Line[], won: SQL, now: Date) {
  return [
    ...lines.map((line) =>
      db
        .update(books)
        .set({ stock: sql`${books.stock} + ${line.quantity}`, updatedAt: now })
        .where(and(eq(books.id, line.bookId), won)),
    ),
    ...stockChangedStatements(db, stockDeltas(lines, +1), won, now),
  ]
}

/** The live availability events of a stock change, after its updates (features/live). */
export const stockDeltas = (lines: Line[], sign: 1 | -1) =>
  lines.map((line) => ({ bookId: line.bookId, delta: sign * line.quantity }))
