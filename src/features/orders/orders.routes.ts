import { createRoute, z } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { errors, pick } from '../../http/schemas'
import { signedIn } from '../auth'
import {
  CheckoutSchema,
  IdempotencyHeadersSchema,
  MyOrdersQuerySchema,
  OrderAddressUpdateSchema,
  OrderIdParamsSchema,
  OrderListSchema,
  OrderSchema,
} from './orders.schemas'

const common = { tags: ['Orders'], ...signedIn() }
const gatewayError = { 502: { ...errors[500], description: 'The payment gateway failed; nothing changed' } }

export const createOrder = createRoute({
  operationId: 'createOrder',
  ...common,
  // Its key claim carries the session guard and goes out with the session check (test/checkout-concurrency.test.ts).
  ...signedIn({ sessionCheck: 'guarded-write' }),
  method: 'post',
  path: '/orders',
  summary: 'Check out the cart',
  description:
    'Snapshots titles and prices, reserves stock atomically and creates the order in `pending_payment` with a ' +
    'payment intent; confirm it in the browser with `payment.clientSecret` (Stripe.js). Requires an ' +
    '`Idempotency-Key`: a retry with the same key and body returns the first response (`Idempotent-Replayed: ' +
    'true`); the same key with another body is 422; while the first is running, 409. 409 `out-of-stock` names ' +
    'the short lines, and nothing is reserved.',
  request: { headers: IdempotencyHeadersSchema, body: jsonBody(CheckoutSchema) },
  responses: {
    201: {
      ...jsonContent(OrderSchema, 'The order, awaiting payment'),
      headers: z.object({ Location: z.string() }),
    },
    ...pick(400, 401, 409, 413, 415, 422, 429, 500),
    ...gatewayError,
  },
})

export const listMyOrders = createRoute({
  operationId: 'listMyOrders',
  ...common,
  method: 'get',
  path: '/me/orders',
  summary: 'The caller’s orders, newest first',
  request: { query: MyOrdersQuerySchema },
  responses: { 200: jsonContent(OrderListSchema, 'A page of orders'), ...pick(400, 401, 429, 500) },
})

export const getOrder = createRoute({
  operationId: 'getOrder',
  ...common,
  method: 'get',
  path: '/orders/{id}',
  summary: 'One order (its owner or an admin; anyone else gets 404)',
  request: { params: OrderIdParamsSchema },
  responses: { 200: jsonContent(OrderSchema, 'The order'), ...pick(400, 401, 404, 429, 500) },
})

export const changeOrderAddress = createRoute({
  operationId: 'changeOrderAddress',
  ...common,
  method: 'patch',
  path: '/orders/{id}/address',
  summary: 'Change the delivery address (until shipped)',
  request: { params: OrderIdParamsSchema, body: jsonBody(OrderAddressUpdateSchema) },
  responses: {
    200: jsonContent(OrderSchema, 'The order'),
    ...pick(400, 401, 404, 409, 413, 415, 422, 429, 500),
  },
})

export const cancelOrder = createRoute({
  operationId: 'cancelOrder',
  ...common,
  method: 'post',
  path: '/orders/{id}/cancel',
  summary: 'Cancel before shipping: releases stock, refunds if paid',
  request: { params: OrderIdParamsSchema },
  responses: {
    200: jsonContent(OrderSchema, 'The cancelled order'),
    ...pick(400, 401, 404, 409, 429, 500),
    ...gatewayError,
  },
})
