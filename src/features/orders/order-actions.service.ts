import { and, eq, isNull } from 'drizzle-orm'
import { runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { orders } from '../../db/schema'
import type { AuthUser } from '../../env'
import { ApiError } from '../../http/problem'
import { auditStatement } from '../audit'
import { resolveAddress } from './checkout.service'
import { canChangeAddress } from './order-status'
import { addressColumns, loadOrder, loadVisibleOrder, toOrder } from './order-views'
import type { AddressChoice, Order } from './orders.schemas'

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
