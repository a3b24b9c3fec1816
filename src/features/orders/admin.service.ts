import { and, eq, gte, lt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { orders } from '../../db/schema'
import type { AdminOrdersQuery } from './orders.schemas'
import { pageOfOrders } from './orders.service'

export function listAllOrders(db: Db, query: AdminOrdersQuery) {
  const conditions: (SQL | undefined)[] = [
    query.status ? eq(orders.status, query.status) : undefined,
    query.customerId ? eq(orders.userId, query.customerId) : undefined,
    query.createdFrom ? gte(orders.createdAt, new Date(query.createdFrom)) : undefined,
    query.createdTo ? lt(orders.createdAt, new Date(query.createdTo)) : undefined,
  ]
  return pageOfOrders(db, and(...conditions), query.limit, query.cursor)
}
