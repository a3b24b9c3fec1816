import type { AppRouteHandler } from '../../http/router'
import { authenticatedBatch } from '../auth'
import type * as routes from './addresses.routes'
import * as service from './addresses.service'

/** One round trip: the session check and the list in one batch. */
export const listAddresses: AppRouteHandler<typeof routes.listAddresses> = async (c) => {
  const [rows] = await authenticatedBatch(c, [service.addressList(c.var.db, c.var.user.id)])
  return c.json({ data: service.toAddresses(rows) }, 200)
}

export const createAddress: AppRouteHandler<typeof routes.createAddress> = async (c) => {
  const address = await service.createAddress(c.var.db, c.var.user.id, c.req.valid('json'))
  c.header('Location', `/v1/me/addresses/${address.id}`)
  return c.json(address, 201)
}

export const updateAddress: AppRouteHandler<typeof routes.updateAddress> = async (c) =>
  c.json(
    await service.updateAddress(c.var.db, c.var.user.id, c.req.valid('param').id, c.req.valid('json')),
    200,
  )

export const deleteAddress: AppRouteHandler<typeof routes.deleteAddress> = async (c) => {
  await service.deleteAddress(c.var.db, c.var.user.id, c.req.valid('param').id)
  return c.body(null, 204)
}
