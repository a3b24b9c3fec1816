import { createRouter } from '../../http/router'
import * as handlers from './auth.handlers'
import * as routes from './auth.routes'

export const authRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.login, handlers.login)
  .openapi(routes.loginMfa, handlers.loginMfa)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout)
  .openapi(routes.verifyEmail, handlers.verifyEmail)
  .openapi(routes.requestPasswordReset, handlers.requestPasswordReset)
  .openapi(routes.confirmPasswordReset, handlers.confirmPasswordReset)

/** Mounted at the root: GET /.well-known/jwks.json. */
export const jwksRouter = createRouter().openapi(routes.jwks, handlers.jwks)

export { type ClientInfo, clientInfo } from './client-info'
export { reauthenticate, reauthenticateSecondFactor } from './reauthentication'
