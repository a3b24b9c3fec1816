import { createRoute } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { pick } from '../../http/schemas'
import { signedIn } from '../auth'
import { CartItemParamsSchema, CartItemUpdateSchema, CartSchema } from './cart.schemas'

const tags = ['Cart']
const common = { tags, ...signedIn() }

export const getCart = createRoute({
  operationId: 'getCart',
  ...common,
  method: 'get',
  path: '/me/cart',
  summary: 'The caller’s cart at current prices',
  responses: { 200: jsonContent(CartSchema, 'The cart'), ...pick(401, 429, 500) },
})

export const putCartItem = createRoute({
  operationId: 'putCartItem',
  ...common,
  // Its one batch carries the session check, and its write the session guard (test/cart.test.ts).
  ...signedIn({ sessionCheck: 'guarded-write' }),
  method: 'put',
  path: '/me/cart/items/{bookId}',
  summary: 'Set how many copies of a book are in the cart',
  request: { params: CartItemParamsSchema, body: jsonBody(CartItemUpdateSchema) },
  responses: {
    200: jsonContent(CartSchema, 'The updated cart'),
    ...pick(400, 401, 404, 409, 413, 415, 422, 429, 500),
  },
})

export const deleteCartItem = createRoute({
  operationId: 'deleteCartItem',
  ...common,
  method: 'delete',
  path: '/me/cart/items/{bookId}',
  summary: 'Remove a book from the cart',
  request: { params: CartItemParamsSchema },
  responses: { 200: jsonContent(CartSchema, 'The updated cart'), ...pick(400, 401, 404, 429, 500) },
})
