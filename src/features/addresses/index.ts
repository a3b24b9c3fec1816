import { createRouter } from '../../http/router'
import * as handlers from './addresses.handlers'
import * as routes from './addresses.routes'

export const addressesRouter = createRouter()
  .openapi(routes.listAddresses, handlers.listAddresses)
  .openapi(routes.createAddress, handlers.createAddress)
  .openapi(routes.updateAddress, handlers.updateAddress)
  .openapi(routes.deleteAddress, handlers.deleteAddress)

export type { AddressInput, PostalAddress } from './addresses.schemas'
export { addressFields, PostalAddressSchema } from './addresses.schemas'
export { ownAddress, toPostalAddress } from './addresses.service'
