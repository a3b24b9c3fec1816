import { createRouter } from '../../http/router'
import * as handlers from './imports.handlers'
import * as routes from './imports.routes'

export const importsRouter = createRouter()
  .openapi(routes.createImport, handlers.createImport)
  .openapi(routes.getImport, handlers.getImport)
  .openapi(routes.listImportRejects, handlers.listImportRejects)

export { importsAccountDeletion } from './account-deletion'
export { MAX_IMPORT_BYTES } from './imports.service'
export { resumeStalledImports } from './imports.watchdog'
export { handleImportQueue } from './imports.worker'
