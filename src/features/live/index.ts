import { createRouter } from '../../http/router'
import * as handlers from './live.handlers'
import { liveRoutes } from './live.routes'

/** GET /v1/live/books/{id}, /v1/live/me, /v1/live/admin: WebSocket (or SSE) subscriptions to one channel. */
export function liveRouter() {
  const routes = liveRoutes()
  return createRouter()
    .openapi(routes.subscribeBook, handlers.subscribeBook)
    .openapi(routes.subscribeMe, handlers.subscribeMe)
    .openapi(routes.subscribeAdmin, handlers.subscribeAdmin)
}

export { ASYNCAPI_VERSION, asyncApiDocument } from './live.asyncapi'
export { type LiveChannelObject, liveChannelClass } from './live.channel'
export {
  closeUserSockets,
  deliverAfter,
  deliverAllLiveOutbox,
  forgetUserChannel,
  livePublishing,
} from './live.delivery'
export * from './live.events'
export {
  bookChangeStatements,
  bookDeletedStatements,
  enableLive,
  liveCommandStatements,
  liveEventStatements,
  orderTransitionStatements,
  sessionsRevokedStatements,
  stockChangedStatements,
} from './live.outbox'
export { timerKey } from './live.store'
