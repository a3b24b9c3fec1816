import { and, eq, isNull } from 'drizzle-orm'
import { runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { orders } from '../../db/schema'
import type { AuthUser } from '../../env'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { auditStatement } from '../audit'
import type { PaymentProvider } from '../payments'
import { resolveAddress } from './checkout.service'
import { assertTransition, canChangeAddress } from './order-status'
import { addressColumns, loadOrder, loadVisibleOrder, type OrderAggregate, toOrder } from './order-views'
import type { AddressChoice, Order } from './orders.schemas'
import { applyTransition, cancelIntentQuietly, cancelPaymentStatement } from './orders.service'
import { pendingRefundStatement, reserveRefundStatement, runReservation, sendRefund } from './refunds.service'

type Caller = Pick<AuthUser, 'id' | 'role'>

/** Changes the delivery address until the order ships (the owner, or an admin with an audit entry). */
export async function changeOrderAddress(
  db: Db,
  id: string,
  caller: Caller,
  choice: AddressChoice,
): Promise<Order> {
  const { order } = await loadVisibleOrder(db, id, caller)
  if (!canChangeAddress(order)) {
    throw new ApiError(409, {
      title: 'Address locked',
      type: 'illegal-transition',
      detail: `The address of order ${id} cannot change: it is ${order.status}`,
    })
  }
  const address = await resolveAddress(db, order.userId ?? caller.id, choice)
  const now = new Date()
  const columns = addressColumns(address)
  const update = db
    .update(orders)
    .set({ ...columns, updatedAt: now })
    .where(and(eq(orders.id, id), eq(orders.status, order.status), isNull(orders.shippedAt)))
    .returning({ id: orders.id })
  const audit =
    caller.role === 'admin'
      ? [
          auditStatement(
            db,
            {
              actorId: caller.id,
              action: 'order.change_address',
              targetType: 'order',
              targetId: id,
              before: { city: order.shipCity, country: order.shipCountry, postalCode: order.shipPostalCode },
              after: {
                city: columns.shipCity,
                country: columns.shipCountry,
                postalCode: columns.shipPostalCode,
              },
            },
            now,
          ),
        ]
      : []
  const [updated] = (await runBatch(db, [update, ...audit])) as { id: string }[][]
  if (!updated?.length)
    throw new ApiError(409, { title: 'Order changed', detail: 'Fetch the order and retry' })
  return toOrder(await loadOrder(db, id))
}

/** Refunds whatever is left of a paid order before cancelling it; the order keeps its status meanwhile. */
async function refundBeforeCancel(
  db: Db,
  provider: PaymentProvider,
  aggregate: OrderAggregate,
  caller: Caller,
) {
  const { order, payment } = aggregate
  const remaining = order.totalAmount - order.refundedAmount
  if (remaining === 0 || !payment?.intentId || payment.status !== 'succeeded') return aggregate
  const now = new Date()
  const refundId = randomId('rfd')
  await runReservation(db, order.id, [
    pendingRefundStatement(
      db,
      {
        id: refundId,
        order,
        paymentId: payment.id,
        amount: remaining,
        reason: 'order cancelled',
        actor: caller,
      },
      now,
    ),
    reserveRefundStatement(db, order, remaining, order.status, now),
  ])
  await sendRefund(db, provider, {
    refundId,
    intentId: payment.intentId,
    amount: remaining,
    order,
    reservedStatus: order.status,
  })
  return loadOrder(db, order.id)
}

/**
 * Cancels an order before it ships: releases its stock and, if it was paid, refunds what is left first (a failed
 * refund leaves the order as it was, 502). The owner or an admin may cancel; an admin's cancel is audited.
 */
export async function cancelOrder(
  db: Db,
  provider: PaymentProvider,
  id: string,
  caller: Caller,
): Promise<Order> {
  let aggregate = await loadVisibleOrder(db, id, caller)
  assertTransition(aggregate.order, 'cancelled', 'cancel')
  const now = new Date()
  const wasPending = aggregate.order.status === 'pending_payment'
  if (!wasPending) aggregate = await refundBeforeCancel(db, provider, aggregate, caller)
  const order = await applyTransition(
    db,
    {
      aggregate,
      to: 'cancelled',
      action: 'cancel',
      set: {
        cancelReason: caller.role === 'admin' ? 'cancelled_by_admin' : 'cancelled_by_customer',
        cancelledAt: now,
      },
      releaseStock: true,
      actor: caller,
      extra: wasPending ? [cancelPaymentStatement(db, id, now)] : [],
    },
    now,
  )
  if (wasPending) await cancelIntentQuietly(provider, aggregate)
  return order
}
