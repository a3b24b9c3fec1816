import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../../env'
import { ApiError } from '../../http/problem'
import { SESSION_TTL_MS } from './sessions.service'

/**
 * The browser option: the refresh token in a cookie JavaScript cannot read (HttpOnly: XSS cannot steal it),
 * sent only over HTTPS (Secure, `__Secure-` prefix), only to /v1/auth, and never on cross-site requests
 * (SameSite=Strict). CSRF is prevented by SameSite=Strict, by JSON-only bodies (a cross-site form cannot send
 * application/json without a CORS preflight, which only CORS_ORIGINS pass), and by the Origin check below
 * (OWASP CSRF Prevention Cheat Sheet: verifying origin with standard headers).
 */
export const REFRESH_COOKIE = '__Secure-folio_refresh'
const COOKIE_PATH = '/v1/auth'

export function setRefreshCookie(c: Context<AppEnv>, refreshToken: string): void {
  setCookie(c, REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: COOKIE_PATH,
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
}

export function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, REFRESH_COOKIE, { path: COOKIE_PATH, secure: true })
}

/** The refresh token from the body, or else from the cookie (after checking the request's origin). */
export function presentedRefreshToken(
  c: Context<AppEnv>,
  fromBody: string | undefined,
): { token?: string; viaCookie: boolean } {
  if (fromBody) return { token: fromBody, viaCookie: false }
  const token = getCookie(c, REFRESH_COOKIE)
  if (!token) return { viaCookie: false }
  const origin = c.req.header('Origin')
  if (origin && origin !== new URL(c.req.url).origin && !c.var.config.CORS_ORIGINS.includes(origin)) {
    throw new ApiError(403, {
      title: 'Forbidden',
      detail: 'Cross-site requests may not use the refresh cookie',
    })
  }
  return { token, viaCookie: true }
}
