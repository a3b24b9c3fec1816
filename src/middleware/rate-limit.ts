import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { ApiError } from '../http/problem'

/**
 * Rate limiting with the Workers Rate Limiting bindings (`[[ratelimits]]` in wrangler.toml): counters live in
 * Cloudflare's infrastructure per location, not in the isolate (an in-memory counter is useless on Workers).
 * The limits are configuration: the binding's `simple.limit/period`, mirrored in the RATE_LIMIT_*_POLICY vars for the
 * headers. Without a binding (Node tests, libSQL-only deployments) nothing is limited.
 * Headers follow draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy` on every limited answer, and on a
 * 429 `RateLimit` (r=0) plus `Retry-After` (RFC 9110 §10.2.3). The binding reports only allow/deny, so the
 * remaining quota is not advertised on successful answers, and the reset is the window's upper bound.
 */
export type Limiter = 'RATE_LIMIT_PUBLIC' | 'RATE_LIMIT_USER' | 'RATE_LIMIT_AUTH'

const POLICY_NAMES: Record<Limiter, string> = {
  RATE_LIMIT_PUBLIC: 'ip',
  RATE_LIMIT_USER: 'user',
  RATE_LIMIT_AUTH: 'auth',
}

/**
 * The client's address. `CF-Connecting-IP` is written by Cloudflare's edge, which overwrites any value a client
 * sends, so it cannot be spoofed in production; `X-Forwarded-For` can, and is never read (OWASP API4:2023).
 * Without it (local tools, tests) every caller shares one bucket.
 */
export function clientIp(c: Context): string {
  return c.req.header('CF-Connecting-IP') ?? 'unknown'
}

/** Counts one request against `limiter` for `key`; throws a 429 problem when the key is over its limit. */
export async function enforceRateLimit(c: Context<AppEnv>, limiter: Limiter, key: string): Promise<void> {
  const binding = (c.env as Partial<Record<Limiter, RateLimit>>)[limiter]
  if (!binding) return
  const { limit, period } = c.get('config')[`${limiter}_POLICY`]
  const name = POLICY_NAMES[limiter]
  const policy = `"${name}";q=${limit};w=${period}`
  c.header('RateLimit-Policy', policy, { append: true })
  const { success } = await binding.limit({ key: `${name}:${key}` })
  if (success) return
  throw new ApiError(429, {
    title: 'Too many requests',
    detail: `At most ${limit} requests per ${period} seconds are allowed here; retry after ${period} seconds`,
    headers: {
      'Retry-After': String(period),
      'RateLimit-Policy': policy,
      RateLimit: `"${name}";r=0;t=${period}`,
    },
  })
}

/**
 * Counts every request of a route against `limiter`, keyed by the client's address. A route takes this from its
 * policy preset (src/http/policy.ts): the per-IP limit on public routes, and the strict per-IP limit on
 * `/v1/auth/*` (credential stuffing, OWASP ASVS 2.2.1). Authenticated routes are limited per user by requireAuth
 * instead, and cached public reads by the edge cache, only when they reach the origin.
 */
export function rateLimitPerIp(limiter: Limiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforceRateLimit(c, limiter, clientIp(c))
    await next()
  }
}

/** The per-IP limit as a plain check (the edge cache calls it on a miss; requireAuth on a failed attempt). */
export const limitPerIp = (c: Context<AppEnv>) => enforceRateLimit(c, 'RATE_LIMIT_PUBLIC', clientIp(c))
