import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv, AuthUser } from '../env'
import { ApiError } from '../http/problem'
import { verifyAccessToken } from '../lib/jwt'
import { clientIp, enforceRateLimit, markUserLimited } from './rate-limit'

const ROLES = new Set<AuthUser['role']>(['customer', 'admin'])

function unauthorized(detail: string, error?: 'invalid_token'): ApiError {
  // RFC 6750 §3: a challenge on every 401; `error` only when a token was presented.
  const challenge = error
    ? `Bearer realm="folio", error="${error}", error_description="${detail}"`
    : 'Bearer realm="folio"'
  return new ApiError(401, { title: 'Unauthorized', detail, headers: { 'WWW-Authenticate': challenge } })
}

/**
 * Requires `Authorization: Bearer <access token>`; sets `c.var.user` from the verified claims.
 * Rate limits: a verified caller is counted per user; a failed attempt counts against the caller's IP, so
 * token guessing is throttled too (src/middleware/rate-limit.ts).
 */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return markUserLimited<MiddlewareHandler<AppEnv>>(async (c, next) => {
    let user: AuthUser
    try {
      user = await authenticate(c)
    } catch (error) {
      await enforceRateLimit(c, 'RATE_LIMIT_PUBLIC', clientIp(c))
      throw error
    }
    await enforceRateLimit(c, 'RATE_LIMIT_USER', user.id)
    c.set('user', user)
    // Personal responses must never be stored by shared caches (RFC 9111 §5.2.2.7).
    c.header('Cache-Control', 'private, no-store')
    await next()
  })
}

/** Verifies the bearer token and returns its caller; throws the RFC 6750 401 on any failure. */
async function authenticate(c: Context<AppEnv>): Promise<AuthUser> {
  const header = c.req.header('Authorization')
  const match = header?.match(/^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/)
  if (!header) throw unauthorized('Send an access token in the Authorization header')
  if (!match?.[1]) throw unauthorized('The Authorization header must be "Bearer <token>"', 'invalid_token')
  let claims: Awaited<ReturnType<typeof verifyAccessToken>>
  try {
    claims = await verifyAccessToken(match[1], c.get('config'))
  } catch {
    // One answer for every failure (bad signature, expiry, audience…): details would help an attacker only.
    throw unauthorized('The access token is invalid or expired', 'invalid_token')
  }
  if (!ROLES.has(claims.role as AuthUser['role'])) {
    throw unauthorized('The access token is invalid or expired', 'invalid_token')
  }
  return {
    id: claims.sub,
    role: claims.role as AuthUser['role'],
    sessionId: claims.sid,
    tokenId: claims.jti,
  }
}

/** Requires a role after `requireAuth` (OWASP API5: function-level authorization). A customer gets 403. */
export function requireRole(role: AuthUser['role']): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user')
    if (!user) throw unauthorized('Send an access token in the Authorization header')
    if (user.role !== role) {
      throw new ApiError(403, { title: 'Forbidden', detail: `This action requires the ${role} role` })
    }
    await next()
  }
}
