import { and, eq, gte, lt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { orders } from '../../db/schema'
import type { AuthUser } from '../../env'
import { loadOrder } from './order-views'
import type { AdminOrdersQuery, Order } from './orders.schemas'
import { applyTransition, pageOfOrders } from './orders.service'

type Admin = Pick<AuthUser, 'id' | 'role'>

export function listAllOrders(db: Db, query: AdminOrdersQuery) {
  const conditions: (SQL | undefined)[] = [
    query.status ? eq(orders.status, query.status) : undefined,
    query.customerId ? eq(orders.userId, query.customerId) : undefined,
    query.createdFrom ? gte(orders.createdAt, new Date(query.createdFrom)) : undefined,
    query.createdTo ? lt(orders.createdAt, new Date(query.createdTo)) : undefined,
  ]
  return pageOfOrders(db, and(...conditions), query.limit, query.cursor)
}

export async function shipOrder(db: Db, id: string, admin: Admin): Promise<Order> {
  const now = new Date()
  return applyTransition(
    db,
    {
      aggregate: await loadOrder(db, id),
      to: 'shipped',
      action: 'ship',
      set: { shippedAt: now },
      actor: admin,
    },
    now,
  )
}

export async function deliverOrder(db: Db, id: string, admin: Admin): Promise<Order> {
  const now = new Date()
  return applyTransition(
    db,
    {
      aggregate: await loadOrder(db, id),
      to: 'delivered',
      action: 'deliver',
      set: { deliveredAt: now },
      actor: admin,
    },
    now,
  )
}
