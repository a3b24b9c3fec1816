import { createRouter } from '../../http/router'
import * as handlers from './users.handlers'
import * as routes from './users.routes'

export const usersRouter = createRouter()
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.deleteMe, handlers.deleteMe)
  .openapi(routes.resendVerification, handlers.resendVerification)
  .openapi(routes.changePassword, handlers.changePassword)
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.revokeSession, handlers.revokeSession)
  .openapi(routes.listSecurityEvents, handlers.listSecurityEvents)
  .openapi(routes.startTotp, handlers.startTotp)
  .openapi(routes.confirmTotp, handlers.confirmTotp)
  .openapi(routes.disableTotp, handlers.disableTotp)
  .openapi(routes.adminListUsers, handlers.adminListUsers)
  .openapi(routes.adminUpdateUser, handlers.adminUpdateUser)
  .openapi(routes.adminDeleteUser, handlers.adminDeleteUser)

export { type AccountDeletionStep, accountDeletionSteps } from './account-deletion'
