import { createRoute } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { errors, pick } from '../../http/schemas'
import { admin } from '../auth'
import {
  AdminOrdersQuerySchema,
  OrderIdParamsSchema,
  OrderListSchema,
  OrderSchema,
  RefundRequestSchema,
  RefundResultSchema,
} from './orders.schemas'

const common = { tags: ['Admin: orders'], ...admin() }

export const listOrders = createRoute({
  operationId: 'adminListOrders',
  ...common,
  method: 'get',
  path: '/admin/orders',
  summary: 'All orders, newest first; filter by status, customer and creation date',
  request: { query: AdminOrdersQuerySchema },
  responses: { 200: jsonContent(OrderListSchema, 'A page of orders'), ...pick(400, 401, 403, 429, 500) },
})

// Generic in the action so each path stays a literal type (the typed client sees /ship and /deliver).
const transition = <Action extends string>(operationId: string, action: Action, summary: string) =>
  createRoute({
    ...common,
    operationId,
    method: 'post',
    path: `/admin/orders/{id}/${action}`,
    summary,
    request: { params: OrderIdParamsSchema },
    responses: {
      200: jsonContent(OrderSchema, 'The order'),
      ...pick(400, 401, 403, 404, 409, 429, 500),
    },
  })

export const shipOrder = transition('adminShipOrder', 'ship', 'Mark a paid order shipped (audited)')
export const deliverOrder = transition(
  'adminDeliverOrder',
  'deliver',
  'Mark a shipped order delivered (audited)',
)

export const refundOrder = createRoute({
  operationId: 'adminRefundOrder',
  ...common,
  method: 'post',
  path: '/admin/orders/{id}/refunds',
  summary: 'Refund all (default) or part of what was paid, through the gateway (audited)',
  description:
    'More than was paid and not yet refunded is 422. Refunds move money only; cancel releases stock.',
  request: { params: OrderIdParamsSchema, body: { ...jsonBody(RefundRequestSchema), required: false } },
  responses: {
    201: jsonContent(RefundResultSchema, 'The refund and the updated order'),
    ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429, 500),
    502: { ...errors[500], description: 'The payment gateway failed; nothing changed' },
  },
})
