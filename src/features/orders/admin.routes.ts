import { createRoute } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { pick } from '../../http/schemas'
import { admin } from '../auth'
import {
  AdminOrdersQuerySchema,
  OrderIdParamsSchema,
  OrderListSchema,
  OrderSchema,
  RefundIdParamsSchema,
  RefundListSchema,
  RefundRequestSchema,
  RefundResultSchema,
  RefundSchema,
  RefundsQuerySchema,
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
    'More than was paid and not yet refunded is 422; a concurrent change of the order is 409. Refunds move ' +
    'money only; cancel releases stock. The refund is recorded with the order change, then sent: its `status` ' +
    'is `succeeded` once the gateway confirms it, `failed` (with `lastError` and `nextAttemptAt`) if the ' +
    'gateway failed, in which case it is resent automatically with backoff until confirmed. Never retry this ' +
    'call for a failed refund: that would refund twice; use `adminRetryRefund`.',
  request: { params: OrderIdParamsSchema, body: { ...jsonBody(RefundRequestSchema), required: false } },
  responses: {
    201: jsonContent(RefundResultSchema, 'The refund and the updated order'),
    ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429, 500),
  },
})

export const listRefunds = createRoute({
  operationId: 'adminListRefunds',
  ...common,
  tags: ['Admin: refunds'],
  method: 'get',
  path: '/admin/refunds',
  summary:
    'All refunds, newest first; filter by status (e.g. `failed`: the ones the gateway has not confirmed)',
  request: { query: RefundsQuerySchema },
  responses: { 200: jsonContent(RefundListSchema, 'A page of refunds'), ...pick(400, 401, 403, 429, 500) },
})

export const retryRefund = createRoute({
  operationId: 'adminRetryRefund',
  ...common,
  tags: ['Admin: refunds'],
  method: 'post',
  path: '/admin/refunds/{id}/retry',
  summary: 'Resend an unconfirmed refund now (audited)',
  description:
    'Sends the same refund again, with the same idempotency key, so the gateway never refunds twice. 409 once ' +
    'the refund is confirmed (or accepted by the gateway).',
  request: { params: RefundIdParamsSchema },
  responses: {
    200: jsonContent(RefundSchema, 'The refund after the attempt'),
    ...pick(400, 401, 403, 404, 409, 429, 500),
  },
})
