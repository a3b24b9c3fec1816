import type { Context } from 'hono'
import type { AppEnv } from '../../env'
import { ApiError } from '../../http/problem'
import type { AppRouteHandler } from '../../http/router'
import { dispatchMail } from '../mail'
import { publicJwks } from './access-tokens'
import * as accounts from './accounts.service'
import type * as routes from './auth.routes'
import { clientInfo } from './client-info'
import { loginWithMfa, login as signIn, type TokenPair, tokenPair } from './login.service'
import { clearRefreshCookie, presentedRefreshToken, setRefreshCookie } from './refresh-cookie'
import { revokeSessionByRefreshToken, rotateRefreshToken } from './sessions.service'
import { toUser } from './user-view'

/** Tokens are credentials: never cached (RFC 6749 §5.1). With the cookie option the refresh token leaves the body. */
function sendTokens(c: Context<AppEnv>, tokens: TokenPair, useCookie: boolean | undefined) {
  c.header('Cache-Control', 'no-store')
  if (!useCookie) return tokens
  setRefreshCookie(c, tokens.refreshToken)
  const { refreshToken: _inCookie, ...rest } = tokens
  return rest
}

export const register: AppRouteHandler<typeof routes.register> = async (c) => {
  const { user, outboxIds } = await accounts.register(c.var.db, c.var.config, c.req.valid('json'))
  dispatchMail(c, outboxIds)
  c.header('Location', '/v1/me')
  return c.json(toUser(user), 201)
}

export const login: AppRouteHandler<typeof routes.login> = async (c) => {
  const input = c.req.valid('json')
  const result = await signIn(c.var.db, c.var.config, input, clientInfo(c))
  c.header('Cache-Control', 'no-store')
  if (result.kind === 'mfa') return c.json({ mfaRequired: true as const, mfaToken: result.mfaToken }, 200)
  dispatchMail(c, result.outboxIds)
  return c.json(sendTokens(c, result.tokens, input.cookie), 200)
}

export const loginMfa: AppRouteHandler<typeof routes.loginMfa> = async (c) => {
  const input = c.req.valid('json')
  const result = await loginWithMfa(c.var.db, c.var.config, input, clientInfo(c))
  dispatchMail(c, result.outboxIds)
  return c.json(sendTokens(c, result.tokens, input.cookie), 200)
}

export const refresh: AppRouteHandler<typeof routes.refresh> = async (c) => {
  const input = (c.req.valid('json') ?? {}) as { refreshToken?: string; cookie?: boolean }
  const presented = presentedRefreshToken(c, input.refreshToken)
  if (!presented.token) {
    throw new ApiError(401, {
      title: 'Invalid refresh token',
      detail: 'Send refreshToken in the body or the refresh cookie',
    })
  }
  const rotation = await rotateRefreshToken(c.var.db, presented.token, clientInfo(c))
  const tokens = await tokenPair(
    c.var.config,
    { id: rotation.userId, role: rotation.role },
    rotation.sessionId,
    rotation.refreshToken,
  )
  return c.json(sendTokens(c, tokens, input.cookie ?? presented.viaCookie), 200)
}

export const logout: AppRouteHandler<typeof routes.logout> = async (c) => {
  const input = (c.req.valid('json') ?? {}) as { refreshToken?: string }
  const presented = presentedRefreshToken(c, input.refreshToken)
  if (presented.token) await revokeSessionByRefreshToken(c.var.db, presented.token)
  clearRefreshCookie(c)
  return c.body(null, 204)
}

export const verifyEmail: AppRouteHandler<typeof routes.verifyEmail> = async (c) => {
  await accounts.verifyEmail(c.var.db, c.req.valid('json').token)
  return c.body(null, 204)
}

export const requestPasswordReset: AppRouteHandler<typeof routes.requestPasswordReset> = async (c) => {
  const outboxIds = await accounts.requestPasswordReset(c.var.db, c.var.config, c.req.valid('json').email)
  dispatchMail(c, outboxIds)
  return c.body(null, 202)
}

export const confirmPasswordReset: AppRouteHandler<typeof routes.confirmPasswordReset> = async (c) => {
  const outboxIds = await accounts.confirmPasswordReset(c.var.db, c.var.config, c.req.valid('json'))
  dispatchMail(c, outboxIds)
  return c.body(null, 204)
}

export const jwks: AppRouteHandler<typeof routes.jwks> = async (c) => {
  // Public and cacheable: verifiers refetch on an unknown kid, so an hour is safe during key rotation.
  c.header('Cache-Control', 'public, max-age=3600')
  return c.json(publicJwks(c.var.config), 200)
}
