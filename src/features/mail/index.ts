import { ApiError } from '../../http/problem'
import { createRouter } from '../../http/router'
import * as routes from './mail.routes'
import { listOutbox } from './mail.service'

/** GET /_dev/mail exists only when ENVIRONMENT is development or test; in production it is a plain 404. */
export const devMailRouter = createRouter().openapi(routes.listDevMail, async (c) => {
  if (c.var.config.ENVIRONMENT === 'production') {
    throw new ApiError(404, { title: 'Not found', detail: 'No resource lives at this URL' })
  }
  const data = await listOutbox(c.var.db, c.req.valid('query'))
  c.header('Cache-Control', 'no-store')
  return c.json({ data }, 200)
})

export { dispatchMail } from './mail.dispatch'
export { outboxInsert } from './mail.service'
export * as mailTemplates from './mail.templates'
export { handleMailQueue, sweepMail } from './mail.worker'
