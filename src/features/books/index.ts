import { createRouter } from '../../http/router'
import * as handlers from './books.handlers'
import * as routes from './books.routes'
import * as relatedHandlers from './related.handlers'
import * as relatedRoutes from './related.routes'

export const booksRouter = createRouter()
  .openapi(routes.listBooks, handlers.listBooks)
  .openapi(routes.getBook, handlers.getBook)
  .openapi(routes.createBook, handlers.createBook)
  .openapi(routes.updateBook, handlers.updateBook)
  .openapi(routes.deleteBook, handlers.deleteBook)
  .openapi(relatedRoutes.relatedBooks, relatedHandlers.relatedBooks)

export { BookIdSchema, MoneySchema } from './books.schemas'
export { coverUrl } from './cover-url'
export { runDiscoveryCron } from './discovery.cron'
