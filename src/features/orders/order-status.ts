import type { OrderRow, OrderStatus } from '../../db/schema'
import { ApiError } from '../../http/problem'

/**
 * The lifecycle: pending_payment → paid → shipped → delivered, with cancelled and (partially_)refunded branches.
 * Anything not listed here is an illegal transition (409). A partial refund keeps the order moving, so
 * partially_refunded may still be shipped or delivered (the timestamps tell where it is).
 */
export const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled', 'refunded', 'partially_refunded'],
  partially_refunded: ['shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded'],
  shipped: ['delivered', 'refunded', 'partially_refunded'],
  delivered: ['refunded', 'partially_refunded'],
  cancelled: [],
  // A fully refunded order that never shipped still holds its stock: cancelling releases it (no money moves).
  refunded: ['cancelled'],
}

/** Where an order is in fulfilment, whatever its payment-driven status says. */
const isShipped = (order: Pick<OrderRow, 'shippedAt'>) => order.shippedAt !== null

export function canTransition(
  order: Pick<OrderRow, 'status' | 'shippedAt' | 'deliveredAt'>,
  to: OrderStatus,
) {
  if (!TRANSITIONS[order.status].includes(to)) return false
  if (order.status === 'refunded') return !isShipped(order)
  if (order.status !== 'partially_refunded') return true
  if (to === 'shipped' || to === 'cancelled') return !isShipped(order)
  if (to === 'delivered') return isShipped(order) && order.deliveredAt === null
  return true
}

export function assertTransition(
  order: Pick<OrderRow, 'id' | 'status' | 'shippedAt' | 'deliveredAt'>,
  to: OrderStatus,
  action: string,
): void {
  if (canTransition(order, to)) return
  throw new ApiError(409, {
    title: 'Illegal order transition',
    type: 'illegal-transition',
    detail: `Cannot ${action} order ${order.id}: it is ${order.status}`,
  })
}

/** Until shipped, the delivery address may change. */
export function canChangeAddress(order: Pick<OrderRow, 'status' | 'shippedAt'>): boolean {
  return ['pending_payment', 'paid', 'partially_refunded'].includes(order.status) && !isShipped(order)
}

/** Statuses in which money was taken and may be refunded. */
export const REFUNDABLE: readonly OrderStatus[] = ['paid', 'partially_refunded', 'shipped', 'delivered']
