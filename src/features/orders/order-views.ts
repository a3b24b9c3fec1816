import { asc, desc, eq, inArray, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import {
  type OrderLineRow,
  type OrderRow,
  orderLines,
  orders,
  type PaymentRow,
  payments,
} from '../../db/schema'
import { ApiError } from '../../http/problem'
import { money } from '../../lib/money'
import type { AddressInput, PostalAddress } from '../addresses'
import type { Order } from './orders.schemas'

/** An unpaid order is cancelled, and its stock released, this long after checkout. */
export const PAYMENT_WINDOW_MS = 30 * 60 * 1000

export type OrderAggregate = { order: OrderRow; lines: OrderLineRow[]; payment: PaymentRow | null }

const iso = (date: Date | null) => date?.toISOString() ?? null

function orderAddress(order: OrderRow): PostalAddress | null {
  if (order.shipName === null || order.shipLine1 === null) return null
  return {
    name: order.shipName,
    line1: order.shipLine1,
    line2: order.shipLine2,
    city: order.shipCity ?? '',
    region: order.shipRegion,
    postalCode: order.shipPostalCode ?? '',
    country: order.shipCountry ?? '',
    phone: order.shipPhone,
  }
}

/** The address as order columns (a copy: later edits of a saved address do not touch the order). */
export function addressColumns(address: AddressInput | PostalAddress) {
  return {
    shipName: address.name,
    shipLine1: address.line1,
    shipLine2: address.line2 ?? null,
    shipCity: address.city,
    shipRegion: address.region ?? null,
    shipPostalCode: address.postalCode,
    shipCountry: address.country,
    shipPhone: address.phone ?? null,
  }
}

export function toOrder({ order, lines, payment }: OrderAggregate): Order {
  const awaitingPayment = order.status === 'pending_payment'
  return {
    id: order.id,
    status: order.status,
    customerId: order.userId,
    lines: lines.map((line) => ({
      bookId: line.bookId,
      title: line.title,
      quantity: line.quantity,
      unitPrice: money(line.unitAmount, order.currency),
      lineTotal: money(line.unitAmount * line.quantity, order.currency),
    })),
    subtotal: money(order.subtotalAmount, order.currency),
    shipping: money(order.shippingAmount, order.currency),
    total: money(order.totalAmount, order.currency),
    refunded: money(order.refundedAmount, order.currency),
    address: orderAddress(order),
    payment: payment && {
      provider: payment.provider,
      intentId: payment.intentId,
      // The client secret lets a browser confirm the payment; it has no use once the order is settled.
      clientSecret: awaitingPayment ? payment.clientSecret : null,
      status: payment.status,
    },
    cancelReason: order.cancelReason,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    paidAt: iso(order.paidAt),
    shippedAt: iso(order.shippedAt),
    deliveredAt: iso(order.deliveredAt),
    cancelledAt: iso(order.cancelledAt),
    expiresAt: awaitingPayment ? new Date(order.createdAt.getTime() + PAYMENT_WINDOW_MS).toISOString() : null,
  }
}

/**
 * The reads of a page of orders with their lines and payments as statements, for one batch: the page query (up
 * to `take` rows), and the lines and payments of the orders that same query selects (a subquery, so one snapshot
 * answers all three). `aggregatesOf` joins the results.
 */
export function orderPageReads(db: Db, where: SQL | undefined, take: number) {
  const page = () =>
    db.select({ id: orders.id }).from(orders).where(where).orderBy(desc(orders.seq)).limit(take)
  return [
    db.select().from(orders).where(where).orderBy(desc(orders.seq)).limit(take),
    db.select().from(orderLines).where(inArray(orderLines.orderId, page())).orderBy(asc(orderLines.title)),
    db.select().from(payments).where(inArray(payments.orderId, page())).orderBy(desc(payments.createdAt)),
  ] as const
}

/** Aggregates of `rows` from lines and payments that include theirs (newest payment first). */
export function aggregatesOf(rows: OrderRow[], lines: OrderLineRow[], paymentRows: PaymentRow[]) {
  return rows.map((order) => ({
    order,
    lines: lines.filter((line) => line.orderId === order.id),
    payment: paymentRows.find((payment) => payment.orderId === order.id) ?? null,
  }))
}

/** Lines and latest payment for several orders: two queries in one round trip. */
export async function loadAggregates(db: Db, rows: OrderRow[]): Promise<OrderAggregate[]> {
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.id)
  const [lines, paymentRows] = await db.batch([
    db.select().from(orderLines).where(inArray(orderLines.orderId, ids)).orderBy(asc(orderLines.title)),
    db.select().from(payments).where(inArray(payments.orderId, ids)).orderBy(desc(payments.createdAt)),
  ])
  return aggregatesOf(rows, lines, paymentRows)
}

export const orderNotFound = (id: string) =>
  new ApiError(404, { title: 'Order not found', detail: `No order has id ${id}` })

/** The reads of one order's aggregate as statements: one batch sends them, alone or after a write. */
export function orderAggregateReads(db: Db, id: string | SQL) {
  return [
    db.select().from(orders).where(eq(orders.id, id)),
    db.select().from(orderLines).where(eq(orderLines.orderId, id)).orderBy(asc(orderLines.title)),
    db.select().from(payments).where(eq(payments.orderId, id)).orderBy(desc(payments.createdAt)).limit(1),
  ] as const
}

/** The aggregate from the results of `orderAggregateReads`; 404 when the order does not exist. */
export function toAggregate(
  id: string,
  [orderRows, lines, paymentRows]: readonly [OrderRow[], OrderLineRow[], PaymentRow[]],
): OrderAggregate {
  const order = orderRows[0]
  if (!order) throw orderNotFound(id)
  return { order, lines, payment: paymentRows[0] ?? null }
}

/** An order with its lines and latest payment: one round trip (a batch of three reads, one snapshot). */
export async function loadOrder(db: Db, id: string): Promise<OrderAggregate> {
  return toAggregate(id, await db.batch(orderAggregateReads(db, id)))
}

/**
 * The order if the caller may see it: its owner, or an admin. Anyone else gets the same 404 as for an id that
 * does not exist, so order ids cannot be probed (OWASP API1:2023, broken object level authorization).
 */
export async function loadVisibleOrder(
  db: Db,
  id: string,
  caller: { id: string; role: 'customer' | 'admin' },
): Promise<OrderAggregate> {
  return visibleTo(caller, await loadOrder(db, id))
}

/** The aggregate if `caller` may see it (see loadVisibleOrder), else the 404. */
export function visibleTo(
  caller: { id: string; role: 'customer' | 'admin' },
  aggregate: OrderAggregate,
): OrderAggregate {
  if (caller.role !== 'admin' && aggregate.order.userId !== caller.id) throw orderNotFound(aggregate.order.id)
  return aggregate
}
