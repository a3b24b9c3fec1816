import { addressesRouter } from '../features/addresses'
import { auditRouter } from '../features/audit'
import { authRouter, jwksRouter } from '../features/auth'
import { booksRouter } from '../features/books'
import { cartRouter } from '../features/cart'
import { healthRouter } from '../features/health'
import { liveRouter } from '../features/live'
import { devMailRouter } from '../features/mail'
import { ordersRouter } from '../features/orders'
import { usersRouter } from '../features/users'
import type { createRouter } from '../http/router'

/** Every feature's router, mounted in one chain so its type (`AppType`) carries each route to the `hc` client. */
export function mountRouters(app: ReturnType<typeof createRouter>) {
  return app
    .route('/', healthRouter)
    .route('/', jwksRouter)
    .route('/', devMailRouter)
    .route('/v1', booksRouter)
    .route('/v1', authRouter)
    .route('/v1', usersRouter)
    .route('/v1', cartRouter)
    .route('/v1', addressesRouter)
    .route('/v1', ordersRouter)
    .route('/v1', auditRouter)
    .route('/v1', liveRouter())
}
