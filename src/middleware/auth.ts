import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv, AuthUser } from '../env'
import { ApiError } from '../http/problem'
import { verifyAccessToken } from '../lib/jwt'
import { enforceRateLimit, limitPerIp } from './rate-limit'

const ROLES = new Set<AuthUser['role']>(['customer', 'admin'])

/** RFC 6750 §3.1 error codes, each with the status the RFC gives it. */
type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope'
const STATUS_OF: Record<BearerError, ContentfulStatusCode> = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
}

/**
 * RFC 6750 §3: `error_description` may hold only %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and
 * `\`), so it needs no escaping inside its quoted-string. Anything else is replaced.
 */
export function challengeText(text: string): string {
  return text.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?')
}

/** The `WWW-Authenticate` value: no error attributes unless the client sent (or tried to send) a token. */
export function bearerChallenge(error?: BearerError, description?: string): string {
  if (!error) return 'Bearer realm="folio"'
  const parts = [`realm="folio"`, `error="${error}"`]
  if (description) parts.push(`error_description="${challengeText(description)}"`)
  return `Bearer ${parts.join(', ')}`
}

/**
 * The RFC 6750 §3 answer: no token (or another scheme, which §3.1 treats the same: "SHOULD NOT include an
 * error code") → 401 with a bare challenge; a malformed Bearer header → 400 invalid_request; a bad token → 401
 * invalid_token; a valid token without the needed role → 403 insufficient_scope.
 */
export function bearerError(detail: string, error?: BearerError): ApiError {
  const status = error ? STATUS_OF[error] : 401
  const title =
    status === 400 ? 'Malformed Authorization header' : status === 403 ? 'Forbidden' : 'Unauthorized'
  return new ApiError(status, {
    title,
    detail,
    headers: { 'WWW-Authenticate': bearerChallenge(error, detail) },
  })
}

/**
 * Requires `Authorization: Bearer <access token>`; sets `c.var.user` from the verified claims.
 * Rate limits: a verified caller is counted per user; a failed attempt counts against the caller's IP, so
 * token guessing is throttled too (src/middleware/rate-limit.ts).
 */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let user: AuthUser
    try {
      user = await authenticate(c)
    } catch (error) {
      await limitPerIp(c)
      throw error
    }
    await enforceRateLimit(c, 'RATE_LIMIT_USER', user.id)
    c.set('user', user)
    // Personal responses must never be stored by shared caches (RFC 9111 §5.2.2.7).
    c.header('Cache-Control', 'private, no-store')
    await next()
  }
}

/** The subprotocol entry that carries an access token on a WebSocket handshake: `folio.bearer.<jwt>`. */
export const BEARER_SUBPROTOCOL_PREFIX = 'folio.bearer.'

/**
 * A browser cannot set `Authorization` on `new WebSocket()`, and a token in the URL would reach logs and
 * history (RFC 6750 §2.3, OWASP WebSocket Security Cheat Sheet), so a WebSocket handshake may carry it as a
 * `Sec-WebSocket-Protocol` entry instead (RFC 6455 §4.1: subprotocol tokens; a JWT's characters are all token
 * characters). Read only on an `Upgrade: websocket` request without an Authorization header; the server never
 * echoes that entry back, and no log line contains request headers.
 */
function bearerFromSubprotocol(c: Context<AppEnv>): string | undefined {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') return undefined
  const entries = (c.req.header('Sec-WebSocket-Protocol') ?? '').split(',').map((entry) => entry.trim())
  const token = entries.find((entry) => entry.startsWith(BEARER_SUBPROTOCOL_PREFIX))
  return token ? `Bearer ${token.slice(BEARER_SUBPROTOCOL_PREFIX.length)}` : undefined
}

/** Verifies the bearer token and returns its caller; throws the RFC 6750 401 on any failure. */
async function authenticate(c: Context<AppEnv>): Promise<AuthUser> {
  const header = c.req.header('Authorization') ?? bearerFromSubprotocol(c)
  // RFC 7235 §2.1: the scheme is case-insensitive. Another scheme counts as "no credentials" (RFC 6750 §3.1).
  const scheme = header?.match(/^([!#$%&'*+.^_`|~\w-]+)(?: |$)/)?.[1]
  if (!header || scheme?.toLowerCase() !== 'bearer') {
    throw bearerError('Send an access token as: Authorization: Bearer <token>')
  }
  // RFC 6750 §2.1: `Bearer` 1*SP b64token. Anything else is a malformed request, not a bad token.
  const token = header.match(/^bearer +([\w.~+/-]+=*) *$/i)?.[1]
  if (!token) throw bearerError('The Authorization header must be: Bearer <token>', 'invalid_request')
  let claims: Awaited<ReturnType<typeof verifyAccessToken>>
  try {
    claims = await verifyAccessToken(token, c.get('config'))
  } catch {
    // One answer for every failure (bad signature, expiry, audience…): details would help an attacker only.
    throw bearerError('The access token is invalid or expired', 'invalid_token')
  }
  if (!ROLES.has(claims.role as AuthUser['role'])) {
    throw bearerError('The access token is invalid or expired', 'invalid_token')
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
    if (!user) throw bearerError('Send an access token as: Authorization: Bearer <token>')
    if (user.role !== role) throw bearerError(`This action requires the ${role} role`, 'insufficient_scope')
    await next()
  }
}
