import type { AppRouteHandler } from '../../http/router'
import {
  authenticatedBatch,
  checkedAccount,
  clientInfo,
  resendVerification as resendVerificationMail,
  type SignedInUser,
  toUser,
} from '../auth'
import { dispatchMail } from '../mail'
import * as admin from './admin-users.service'
import * as me from './me.service'
import * as mfa from './mfa.service'
import type * as routes from './users.routes'

/** The signed-in caller and their session (the routes' signedIn() and admin() policies guarantee both). */
const caller = (c: { var: { user: SignedInUser } }) => ({
  userId: c.var.user.id,
  sessionId: c.var.user.sessionId,
})

/** The account as the session check reads it: one query for the whole request. */
export const getMe: AppRouteHandler<typeof routes.getMe> = async (c) => {
  return c.json(toUser(await checkedAccount(c)), 200)
}

export const updateMe: AppRouteHandler<typeof routes.updateMe> = async (c) => {
  const { user, outboxIds } = await me.updateMe(
    c.var.db,
    c.var.config,
    caller(c).userId,
    c.req.valid('json'),
    clientInfo(c),
  )
  dispatchMail(c, outboxIds)
  return c.json(toUser(user), 200)
}

export const deleteMe: AppRouteHandler<typeof routes.deleteMe> = async (c) => {
  await me.deleteMe(c.var.db, c.var.config, caller(c).userId, c.req.valid('json').password, clientInfo(c))
  return c.body(null, 204)
}

export const resendVerification: AppRouteHandler<typeof routes.resendVerification> = async (c) => {
  dispatchMail(c, await resendVerificationMail(c.var.db, c.var.config, caller(c).userId))
  return c.body(null, 202)
}

export const changePassword: AppRouteHandler<typeof routes.changePassword> = async (c) => {
  dispatchMail(
    c,
    await me.changePassword(c.var.db, c.var.config, caller(c), c.req.valid('json'), clientInfo(c)),
  )
  return c.body(null, 204)
}

/** One round trip: the session check and the list in one batch. */
export const listSessions: AppRouteHandler<typeof routes.listSessions> = async (c) => {
  const { userId, sessionId } = caller(c)
  const [rows] = await authenticatedBatch(c, [me.sessionList(c.var.db, userId)])
  return c.json({ data: me.toSessions(rows, sessionId) }, 200)
}

export const revokeSession: AppRouteHandler<typeof routes.revokeSession> = async (c) => {
  await me.revokeSession(c.var.db, caller(c).userId, c.req.valid('param').id)
  return c.body(null, 204)
}

export const listSecurityEvents: AppRouteHandler<typeof routes.listSecurityEvents> = async (c) => {
  const [rows] = await authenticatedBatch(c, [
    me.securityEventList(c.var.db, caller(c).userId, c.req.valid('query')),
  ])
  return c.json({ data: me.toSecurityEvents(rows) }, 200)
}

export const startTotp: AppRouteHandler<typeof routes.startTotp> = async (c) => {
  c.header('Cache-Control', 'no-store')
  return c.json(await mfa.startTotp(c.var.db, c.var.config, caller(c).userId), 200)
}

export const confirmTotp: AppRouteHandler<typeof routes.confirmTotp> = async (c) => {
  const result = await mfa.confirmTotp(c.var.db, c.var.config, caller(c).userId, c.req.valid('json').code)
  dispatchMail(c, result.outboxIds)
  c.header('Cache-Control', 'no-store')
  return c.json({ recoveryCodes: result.recoveryCodes }, 200)
}

export const disableTotp: AppRouteHandler<typeof routes.disableTotp> = async (c) => {
  dispatchMail(
    c,
    await mfa.disableTotp(c.var.db, c.var.config, caller(c).userId, c.req.valid('json'), clientInfo(c)),
  )
  return c.body(null, 204)
}

export const adminListUsers: AppRouteHandler<typeof routes.adminListUsers> = async (c) => {
  return c.json(await admin.listUsers(c.var.db, c.req.valid('query')), 200)
}

export const adminUpdateUser: AppRouteHandler<typeof routes.adminUpdateUser> = async (c) => {
  const user = await admin.setRole(
    c.var.db,
    caller(c).userId,
    c.req.valid('param').id,
    c.req.valid('json').role,
  )
  return c.json(toUser(user), 200)
}

export const adminDeleteUser: AppRouteHandler<typeof routes.adminDeleteUser> = async (c) => {
  await admin.deleteUser(c.var.db, caller(c).userId, c.req.valid('param').id)
  return c.body(null, 204)
}
