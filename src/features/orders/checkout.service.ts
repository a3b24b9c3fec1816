import { and, eq, inArray } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isCheckViolation } from '../../db/errors'
import { books, cartItems, orderLines, orders, payments } from '../../db/schema'
import type { InlineAnswer } from '../../http/idempotency'
import { ApiError } from '../../http/problem'
import { chunks } from '../../lib/chunks'
import { randomId } from '../../lib/ids'
import { shippingFor } from '../../lib/money'
import { ownAddress, toPostalAddress } from '../addresses'
import { type CartLine, cartLines } from '../cart'
import { channelName, liveCommandStatements, liveEventStatements, stockChangedStatements } from '../live'
import type { PaymentGateway } from '../payments'
import { createGatewayIntent, createGatewayIntentAndAnswer } from './checkout-intent'
import { attemptWithKey, type CheckoutReadResults, checkoutKeyOf, resumeCheckout } from './checkout-resume'
import { reserveStockStatements, stockDeltas } from './inventory'
import { abandonCheckout } from './order-lifecycle'
import {
  addressColumns,
  type OrderAggregate,
  orderAggregateReads,
  PAYMENT_WINDOW_MS,
  toAggregate,
  toOrder,
} from './order-views'
import type { AddressChoice, Order } from './orders.schemas'

/** The delivery address for a checkout or an address change: a saved one (the caller's own) or inline. */
export async function resolveAddress(db: Db, userId: string, choice: AddressChoice) {
  if (choice.address) return choice.address
  const saved = await ownAddress(db, userId, choice.addressId!)
  if (saved) return toPostalAddress(saved)
  throw new ApiError(422, {
    title: 'Unknown address',
    detail: 'addressId is not one of your saved addresses',
    errors: [{ pointer: '/body/addressId', detail: 'No such address' }],
  })
}

/** Totals from current catalog prices; whatever the client believes the prices are is irrelevant. */
function priceCart(lines: CartLine[]) {
  if (lines.length === 0) {
    throw new ApiError(409, { title: 'Cart is empty', detail: 'Add books to the cart before checking out' })
  }
  const currency = lines[0]!.currency
  if (lines.some((line) => line.currency !== currency)) {
    throw new ApiError(409, { title: 'Mixed currencies', detail: 'An order is paid in one currency' })
  }
  const subtotal = lines.reduce((sum, line) => sum + line.priceAmount * line.quantity, 0)
  const shipping = shippingFor(subtotal)
  return { currency, subtotal, shipping, total: subtotal + shipping }
}

/** 409 naming every line that is short right now (read after the failed batch). */
async function outOfStock(db: Db, lines: CartLine[]): Promise<ApiError> {
  const current = await db
    .select({ id: books.id, stock: books.stock })
    .from(books)
    .where(
      inArray(
        books.id,
        lines.map((line) => line.bookId),
      ),
    )
  const stockOf = new Map(current.map((book) => [book.id, book.stock]))
  const short = lines.filter((line) => (stockOf.get(line.bookId) ?? 0) < line.quantity)
  return new ApiError(409, {
    title: 'Out of stock',
    type: 'out-of-stock',
    detail: short.length
      ? `Not enough stock for: ${short.map((line) => line.title).join(', ')}. Nothing was reserved.`
      : 'Stock changed while checking out. Nothing was reserved; try again.',
    errors: short.map((line) => ({
      pointer: `/cart/items/${line.bookId}`,
      detail: `Requested ${line.quantity}, available ${stockOf.get(line.bookId) ?? 0}`,
    })),
  })
}

/** D1 binds at most 100 parameters per statement: multi-row inserts go in chunks of this many rows. */
const ROWS_PER_INSERT = 16

type CheckoutPlan = {
  orderId: string
  paymentId: string
  userId: string
  provider: PaymentGateway['name']
  lines: CartLine[]
  totals: ReturnType<typeof priceCart>
  address: ReturnType<typeof addressColumns>
  checkoutKey: string | null
  now: Date
}

/**
 * The checkout transaction: stock decrements first (their results come back in order, one per line), then the
 * order, its line snapshots, the local payment row (written before the gateway is called) and the cart cleanup.
 */
function checkoutStatements(db: Db, plan: CheckoutPlan): Statement[] {
  const { orderId, lines, totals, now } = plan
  return [
    ...reserveStockStatements(db, lines, now),
    db.insert(orders).values({
      id: orderId,
      userId: plan.userId,
      status: 'pending_payment',
      currency: totals.currency,
      subtotalAmount: totals.subtotal,
      shippingAmount: totals.shipping,
      totalAmount: totals.total,
      ...plan.address,
      checkoutKey: plan.checkoutKey,
      createdAt: now,
      updatedAt: now,
    }),
    ...chunks(lines, ROWS_PER_INSERT).map((chunk) =>
      db.insert(orderLines).values(
        chunk.map((line) => ({
          orderId,
          bookId: line.bookId,
          title: line.title,
          unitAmount: line.priceAmount,
          quantity: line.quantity,
        })),
      ),
    ),
    db.insert(payments).values({
      id: plan.paymentId,
      orderId,
      provider: plan.provider,
      status: 'creating',
      amount: totals.total,
      currency: totals.currency,
      createdAt: now,
      updatedAt: now,
    }),
    db.delete(cartItems).where(
      and(
        eq(cartItems.userId, plan.userId),
        inArray(
          cartItems.bookId,
          lines.map((line) => line.bookId),
        ),
      ),
    ),
    // Live (features/live), committed with the checkout or not at all: availability of each book whose stock
    // crossed a threshold, the new order for the back office, and the order's expiry alarm on its owner's channel
    // (a second after the payment window closes, so the expiry transition's own time check passes).
    ...stockChangedStatements(db, stockDeltas(lines, -1), undefined, now),
    ...liveEventStatements(
      db,
      [
        {
          channel: 'admin',
          event: 'order.created',
          data: { orderId, total: { amount: totals.total, currency: totals.currency } },
        },
      ],
      undefined,
      now,
    ),
    ...liveCommandStatements(
      db,
      [
        {
          channel: channelName.user(plan.userId),
          command: '_timer.order_expiry',
          data: { orderId, at: now.getTime() + PAYMENT_WINDOW_MS + 1000 },
        },
      ],
      undefined,
      now,
    ),
  ]
}

/**
 * Checks out the caller's cart: snapshots titles and prices, reserves stock, creates the order in
 * `pending_payment` and its local payment row, empties the checked-out cart lines: one batch, one transaction.
 * Then the gateway intent is created with the payment row's id as idempotency key; if the gateway fails, the
 * order is abandoned (stock released, cart restored) and the answer is 502.
 */
export async function checkout(
  db: Db,
  provider: PaymentGateway,
  userId: string,
  choice: AddressChoice,
  idempotencyKey?: string,
  preloaded?: CheckoutReadResults,
  answer?: InlineAnswer<Order>,
): Promise<Order> {
  const checkoutKey = idempotencyKey === undefined ? null : await checkoutKeyOf(userId, idempotencyKey)
  // One round trip reads both the cart and whether an earlier attempt with this key got as far as its order
  // (or none: `preloaded`, read in the Idempotency-Key claim's batch, see checkoutReads).
  const [earlier, lines] =
    preloaded ??
    (checkoutKey
      ? await db.batch([attemptWithKey(db, userId, checkoutKey), cartLines(db, userId)])
      : [[], await cartLines(db, userId)])
  if (earlier[0]) return resumeCheckout(db, provider, userId, earlier[0].id)
  const address = await resolveAddress(db, userId, choice)
  const totals = priceCart(lines)
  const now = new Date()
  const orderId = randomId('ord')
  const paymentId = randomId('pay')

  let reserved: { id: string }[][]
  let committed: OrderAggregate | undefined
  try {
    const statements = checkoutStatements(db, {
      orderId,
      paymentId,
      userId,
      provider: provider.name,
      lines,
      totals,
      address: addressColumns(address),
      checkoutKey,
      now,
    })
    // The order is read back at the end of its own batch: the answer is built from it as committed.
    const results = await runBatch(db, [...statements, ...orderAggregateReads(db, orderId)])
    reserved = results.slice(0, lines.length) as { id: string }[][]
    const readBack = results.slice(-3) as unknown as Parameters<typeof toAggregate>[1]
    if (readBack[0][0]) committed = toAggregate(orderId, readBack)
  } catch (error) {
    if (isCheckViolation(error, 'books_stock_non_negative')) throw await outOfStock(db, lines)
    throw error
  }

  // A book deleted from the catalog between reading the cart and the batch reserved nothing: undo the order.
  if (reserved.some((rows) => rows.length === 0)) {
    await abandonCheckout(
      db,
      { orderId, userId, lines: lines.map(({ bookId, quantity }) => ({ bookId, quantity })) },
      'book_unavailable',
    )
    throw new ApiError(409, {
      title: 'Book unavailable',
      detail: 'A book in the cart is no longer sold. Nothing was reserved.',
    })
  }
  const input = { orderId, userId, paymentId, lines, ...totals }
  if (committed && answer) return createGatewayIntentAndAnswer(db, provider, input, committed, answer)
  return toOrder(await createGatewayIntent(db, provider, input))
}
