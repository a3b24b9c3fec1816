import { createRoute, z } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { pick } from '../../http/schemas'
import { signedIn } from '../auth'
import {
  AddressIdSchema,
  AddressInputSchema,
  AddressListSchema,
  AddressSchema,
  AddressUpdateSchema,
} from './addresses.schemas'

const common = { tags: ['Addresses'], ...signedIn() }
const idParams = z.object({ id: AddressIdSchema })

export const listAddresses = createRoute({
  operationId: 'listAddresses',
  ...common,
  method: 'get',
  path: '/me/addresses',
  summary: 'The caller’s saved addresses',
  responses: { 200: jsonContent(AddressListSchema, 'Addresses, oldest first'), ...pick(401, 429, 500) },
})

export const createAddress = createRoute({
  operationId: 'createAddress',
  ...common,
  method: 'post',
  path: '/me/addresses',
  summary: 'Save an address',
  request: { body: jsonBody(AddressInputSchema) },
  responses: {
    201: jsonContent(AddressSchema, 'Created'),
    ...pick(400, 401, 409, 413, 415, 422, 429, 500),
  },
})

export const updateAddress = createRoute({
  operationId: 'updateAddress',
  ...common,
  method: 'patch',
  path: '/me/addresses/{id}',
  summary: 'Change a saved address (orders keep their own copy)',
  request: { params: idParams, body: jsonBody(AddressUpdateSchema) },
  responses: {
    200: jsonContent(AddressSchema, 'The updated address'),
    ...pick(400, 401, 404, 413, 415, 422, 429, 500),
  },
})

export const deleteAddress = createRoute({
  operationId: 'deleteAddress',
  ...common,
  method: 'delete',
  path: '/me/addresses/{id}',
  summary: 'Delete a saved address',
  request: { params: idParams },
  responses: { 204: { description: 'Deleted' }, ...pick(400, 401, 404, 429, 500) },
})
