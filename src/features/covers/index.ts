import { createRouter } from '../../http/router'
import * as handlers from './covers.handlers'
import * as routes from './covers.routes'

/** Uploading and removing covers (JSON answers: part of the typed client). */
export const coversRouter = createRouter()
  .openapi(routes.putCover, handlers.putCover)
  .openapi(routes.deleteCover, handlers.deleteCover)

/**
 * The cover images themselves: binary answers for `<img src>`, mounted beside the typed chain (a `Response` body
 * type would drag the Workers stream types into the client's declarations). Documented like every route.
 */
export const coverFilesRouter = createRouter().openapi(routes.getCover, handlers.getCover)

export { deleteCoverObject, MAX_COVER_BYTES } from './covers.service'
export { sweepOrphanCovers } from './covers.sweep'
