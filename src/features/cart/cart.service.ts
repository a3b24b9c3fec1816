import { and, asc, count, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { books, cartItems } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { DEFAULT_CURRENCY, money } from '../../lib/money'
import { type Cart, MAX_CART_LINES } from './cart.schemas'

/** The cart's rows joined with current book data (title, price, stock), oldest first. */
export async function cartLines(db: Db, userId: string) {
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
  const lines = await cartLines(db, userId)
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

async function assertCanAdd(db: Db, userId: string, bookId: string, currency: string) {
  const others = await db
    .select({ bookId: cartItems.bookId, currency: books.currency })
    .from(cartItems)
    .innerJoin(books, eq(books.id, cartItems.bookId))
    .where(eq(cartItems.userId, userId))
  if (others.some((line) => line.bookId === bookId)) return
  if (others.length >= MAX_CART_LINES) {
    throw new ApiError(409, {
      title: 'Cart is full',
      detail: `A cart holds at most ${MAX_CART_LINES} different books`,
    })
  }
  const foreign = others.find((line) => line.currency !== currency)
  if (foreign) {
    throw new ApiError(409, {
      title: 'Mixed currencies',
      detail: `An order is paid in one currency: the cart is in ${foreign.currency}, this book in ${currency}`,
    })
  }
}

/** Sets a line's quantity (adds the line if new). The stock check is advisory; checkout reserves for real. */
export async function setCartItem(db: Db, userId: string, bookId: string, quantity: number): Promise<Cart> {
  const book = await db.query.books.findFirst({
    columns: { stock: true, currency: true },
    where: eq(books.id, bookId),
  })
  if (!book) throw new ApiError(404, { title: 'Book not found', detail: `No book has id ${bookId}` })
  if (quantity > book.stock) {
    throw new ApiError(409, {
      title: 'Not enough stock',
      detail: `Only ${book.stock} in stock`,
      errors: [{ pointer: '/body/quantity', detail: `At most ${book.stock}` }],
    })
  }
  await assertCanAdd(db, userId, bookId, book.currency)
  const now = new Date()
  await db
    .insert(cartItems)
    .values({ userId, bookId, quantity, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [cartItems.userId, cartItems.bookId], set: { quantity, updatedAt: now } })
  return getCart(db, userId)
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

export async function cartSize(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ value: count() }).from(cartItems).where(eq(cartItems.userId, userId))
  return row?.value ?? 0
}
