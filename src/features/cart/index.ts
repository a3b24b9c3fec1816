import { createRouter } from '../../http/router'
import * as handlers from './cart.handlers'
import * as routes from './cart.routes'

export const cartRouter = createRouter()
  .openapi(routes.getCart, handlers.getCart)
  .openapi(routes.putCartItem, handlers.putCartItem)
  .openapi(routes.deleteCartItem, handlers.deleteCartItem)

export { type CartLine, cartLines } from './cart.service'
