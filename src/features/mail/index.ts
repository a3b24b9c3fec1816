import { ApiError } from '../../http/problem'
import { createRouter } from '../../http/router'
import * as routes from './mail.routes'
import { listOutbox } from './mail.service'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * GET /_dev/mail exists only in tests, and in development when called on a local address: the mail holds live
 * sign-in links, so a Worker deployed by mistake with development vars must not publish them. Otherwise 404.
 */
export const devMailRouter = createRouter().openapi(routes.listDevMail, async (c) => {
  const { ENVIRONMENT } = c.var.config
  const local = LOCAL_HOSTS.has(new URL(c.req.url).hostname)
  if (!(ENVIRONMENT === 'test' || (ENVIRONMENT === 'development' && local))) {
    throw new ApiError(404, { title: 'Not found', detail: 'No resource lives at this URL' })
  }
  const data = await listOutbox(c.var.db, c.req.valid('query'))
  c.header('Cache-Control', 'no-store')
  return c.json({ data }, 200)
})

export { dispatchMail } from './mail.dispatch'
export { outboxInsert, securityNoticeInsert } from './mail.service'
export * as mailTemplates from './mail.templates'
export { handleMailQueue, sweepMail } from './mail.worker'
