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

export {
  EMAIL_VERIFICATION_TTL_MS,
  resendVerification,
  verificationLink,
} from './accounts.service'
// The auth feature's public face: route policies, sessions, tokens and the pieces of accounts that /me uses.
export {
  authenticatedBatch,
  checkedAccount,
  type PendingSessionCheck,
  requireActiveSession,
  sessionGuard,
  signedInAccount,
} from './active-session'
export {
  EmailSchema,
  NameSchema,
  NewPasswordSchema,
  PasswordSchema,
  PhoneSchema,
  UserSchema,
} from './auth.schemas'
export { type ClientInfo, clientInfo } from './client-info'
export { runIdentityMaintenance } from './maintenance'
export { oneTimeTokenInsert, revokeEmailedTokens } from './one-time-tokens'
export { admin, type SignedInUser, signedIn } from './policies'
export { reauthenticate, reauthenticateSecondFactor } from './reauthentication'
export { revokeUserSessions } from './sessions.service'
export { matchingStep, newTotpSecret, openTotpSecret, sealTotpSecret, totpFor } from './totp'
export { toUser } from './user-view'
