import { createRouter } from '../../http/router'
import * as handlers from './audit.handlers'
import * as routes from './audit.routes'

export const auditRouter = createRouter().openapi(routes.listAudit, handlers.listAudit)

export { auditAccountDeletion, auditStatement, auditStatementWhen } from './audit.service'
