import { and, asc, eq, gte, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { books, cartItems } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { DEFAULT_CURRENCY, money } from '../../lib/money'
import { type Cart, MAX_CART_LINES } from './cart.schemas'

/** The cart's rows joined with current book data (title, price, stock), oldest first. */
/** The caller's cart lines with current prices, as a query (checkout batches it with its other reads). */
export function cartLines(db: Db, userId: string) {
  return db
    .select({
      bookId: cartItems.bookId,
      quantity: cartItems.quantity,
      title: books.title,
      priceAmount: books.priceAmount,
      currency: books.currency,
      stock: books.stock,
    })
    .from(cartItems)
    .innerJoin(books, eq(books.id, cartItems.bookId))
    .where(eq(cartItems.userId, userId))
    .orderBy(asc(cartItems.createdAt), asc(cartItems.bookId))
}

export type CartLine = Awaited<ReturnType<typeof cartLines>>[number]

export async function getCart(db: Db, userId: string): Promise<Cart> {
  return toCart(await cartLines(db, userId))
}

/** The cart view of its lines (from `cartLines`). */
export function toCart(lines: CartLine[]): Cart {
  const currency = lines[0]?.currency ?? DEFAULT_CURRENCY
  const items = lines.map((line) => ({
    bookId: line.bookId,
    title: line.title,
    quantity: line.quantity,
    unitPrice: money(line.priceAmount, line.currency),
    lineTotal: money(line.priceAmount * line.quantity, line.currency),
    available: line.stock,
  }))
  return {
    items,
    itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
    subtotal: money(
      items.reduce((sum, item) => sum + item.lineTotal.amount, 0),
      currency,
    ),
  }
}

/** Why a conditional cart write changed nothing: the cart is full, or in another currency. */
async function refusal(db: Db, userId: string, currency: string): Promise<ApiError> {
  const lines = await db
    .select({ currency: books.currency })
    .from(cartItems)
    .innerJoin(books, eq(books.id, cartItems.bookId))
    .where(eq(cartItems.userId, userId))
  const foreign = lines.find((line) => line.currency !== currency)
  if (foreign && lines.length < MAX_CART_LINES) {
    return new ApiError(409, {
      title: 'Mixed currencies',
      detail: `An order is paid in one currency: the cart is in ${foreign.currency}, this book in ${currency}`,
    })
  }
  return new ApiError(409, {
    title: 'Cart is full',
    detail: `A cart holds at most ${MAX_CART_LINES} different books`,
  })
}

/**
 * Sets a line's quantity (adds the line if new), as statements for one batch: the book, the conditional upsert,
 * the cart read back (it sees the write). The stock check is advisory; checkout reserves for real.
 * The cart's rules are decided inside the write itself, one conditional upsert (`INSERT … SELECT … WHERE`), so
 * parallel requests cannot both pass a check made before the insert: a line that exists is always updated; a
 * new line is inserted only while the cart holds fewer than MAX_CART_LINES lines, all in the book's currency,
 * and only for a quantity the book has in stock. SQLite runs the statement under the database's write lock, so
 * the count it reads is the count it extends. `guard` is a further condition (the caller's session is live).
 */
export function cartItemWrite(db: Db, userId: string, bookId: string, quantity: number, guard?: SQL) {
  const now = new Date()
  const ownLines = sql`SELECT 1 FROM ${cartItems} WHERE ${cartItems.userId} = ${userId}`
  const upsert = db
    .insert(cartItems)
    .select(
      db
        .select({
          userId: sql<string>`${userId}`.as('user_id'),
          bookId: books.id,
          quantity: sql<number>`${quantity}`.as('quantity'),
          createdAt: sql<number>`${now.getTime()}`.as('created_at'),
          updatedAt: sql<number>`${now.getTime()}`.as('updated_at'),
        })
        .from(books)
        .where(
          and(
            eq(books.id, bookId),
            gte(books.stock, quantity),
            guard,
            sql`(EXISTS (${ownLines} AND ${cartItems.bookId} = ${bookId}) OR (
              (SELECT count(*) FROM ${cartItems} WHERE ${cartItems.userId} = ${userId}) < ${MAX_CART_LINES}
              AND NOT EXISTS (SELECT 1 FROM ${cartItems} INNER JOIN ${books} AS cart_book
                ON cart_book.id = ${cartItems.bookId}
                WHERE ${cartItems.userId} = ${userId} AND cart_book.currency <> ${books.currency})))`,
          ),
        ),
    )
    .onConflictDoUpdate({ target: [cartItems.userId, cartItems.bookId], set: { quantity, updatedAt: now } })
    .returning({ bookId: cartItems.bookId })
  const book = db
    .select({ stock: books.stock, currency: books.currency })
    .from(books)
    .where(eq(books.id, bookId))
  return [book, upsert, cartLines(db, userId)] as const
}

type CartItemWriteResults = readonly [{ stock: number; currency: string }[], { bookId: string }[], CartLine[]]

/** The cart after `cartItemWrite`'s batch, or why nothing was written (404, not enough stock, cap, currency). */
export async function cartAfterWrite(
  db: Db,
  userId: string,
  bookId: string,
  quantity: number,
  [[book], written, lines]: CartItemWriteResults,
): Promise<Cart> {
  if (!book) throw new ApiError(404, { title: 'Book not found', detail: `No book has id ${bookId}` })
  if (quantity > book.stock) {
    throw new ApiError(409, {
      title: 'Not enough stock',
      detail: `Only ${book.stock} in stock`,
      errors: [{ pointer: '/body/quantity', detail: `At most ${book.stock}` }],
    })
  }
  if (written.length === 0) throw await refusal(db, userId, book.currency)
  return toCart(lines)
}

export async function removeCartItem(db: Db, userId: string, bookId: string): Promise<Cart> {
  const removed = await db
    .delete(cartItems)
    .where(and(eq(cartItems.userId, userId), eq(cartItems.bookId, bookId)))
    .returning({ bookId: cartItems.bookId })
  if (removed.length === 0) {
    throw new ApiError(404, { title: 'Not in cart', detail: `Book ${bookId} is not in the cart` })
  }
  return getCart(db, userId)
}
