import { createRouter } from '../../http/router'
import * as handlers from './covers.handlers'
import * as routes from './covers.routes'

export const coversRouter = createRouter()
  .openapi(routes.putCover, handlers.putCover)
  .openapi(routes.deleteCover, handlers.deleteCover)
  .openapi(routes.getCover, handlers.getCover)

export { deleteCoverObject, MAX_COVER_BYTES } from './covers.service'
