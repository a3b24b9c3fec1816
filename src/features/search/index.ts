import { createRouter } from '../../http/router'
import * as handlers from './search.handlers'
import * as routes from './search.routes'

export const searchRouter = createRouter()
  .openapi(routes.suggest, handlers.suggest)
  .openapi(routes.listSearchMisses, handlers.listSearchMisses)

export { pruneSearchMisses, recordSearchMiss } from './search-misses.service'
