import type { MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import type { AppEnv } from '../env'
import { edgeCache } from '../middleware/cache'
import { limitPerIp, rateLimitPerIp } from '../middleware/rate-limit'

/**
 * Route policy: who may call a route, how it is rate-limited and whether it is cached, stated in the route's own
 * definition by spreading one preset into `createRoute({ ... })`:
 *
 *   publicRoute()                    anyone; counted per IP (`"ip"`)
 *   publicRoute({ cache })           anyone; GETs answered from the edge cache, only misses counted per IP
 *   authLimited()                    anyone, on a credential endpoint (/v1/auth/*): the strict `"auth"` limit
 *                                    per IP (credential stuffing, OWASP ASVS 2.2.1), then the per-IP limit
 *   signedIn()  admin()              a bearer token with a live session (and the admin role): counted per user
 *                                    (`"user"`), a failed authentication per IP. From the auth feature, which
 *                                    owns sessions: `import { admin, signedIn } from '../auth'`
 *   unmetered()                      anyone, not rate-limited: operational routes outside /v1 (health, JWKS)
 *
 * A preset brings three things that cannot drift apart: the middleware (one composed handler, typed so that
 * `c.var.user` is non-optional behind signedIn and admin), the operation's OpenAPI `security`, and an
 * `x-folio-policy` extension that publishes the statement. `createRouter()` refuses a route without one, or whose
 * middleware or security was changed after the spread.
 */
export type PolicyStatement = {
  /** The preset's name, as written in the route file. */
  preset: 'publicRoute' | 'authLimited' | 'signedIn' | 'admin' | 'unmetered'
  /** Who may call: anyone, a signed-in user with a live session, or a signed-in admin. */
  caller: 'anyone' | 'signed-in' | 'admin'
  /** The buckets a request is counted against, as `RateLimit-Policy` names them. */
  rateLimit: ('ip' | 'auth' | 'user')[]
  /** `edge`: public GETs are served from the edge cache (src/middleware/cache.ts). */
  cache: 'edge' | 'none'
}

export const POLICY_EXTENSION = 'x-folio-policy'

/** The middleware of a preset, carrying the statement it implements (checked by `createRouter()`). */
export type PolicyMiddleware<Variables extends object> = MiddlewareHandler<
  AppEnv & { Variables: Variables }
> & { readonly statement: PolicyStatement }

type SecurityRequirement = { bearerAuth: string[] }

/** The fragment a preset spreads into `createRoute`. */
export type RoutePolicy<Variables extends object> = {
  middleware: PolicyMiddleware<Variables>
  security: SecurityRequirement[]
  [POLICY_EXTENSION]: PolicyStatement
}

/**
 * The OpenAPI requirement a caller implies: none for a public route (`[]`, OpenAPI 3.1 §4.8.10), the bearer
 * scheme for a signed-in one, with the role named for admins (§4.8.30 allows role names there).
 */
export function securityFor(statement: PolicyStatement): SecurityRequirement[] {
  if (statement.caller === 'anyone') return []
  return [{ bearerAuth: statement.caller === 'admin' ? ['admin'] : [] }]
}

/**
 * A preset from its statement and the middleware that enforce it, in order. `Variables` are what the middleware
 * guarantee to the handler (e.g. `{ user: SignedInUser }`).
 */
export function definePolicy<Variables extends object = object>(
  statement: PolicyStatement,
  handlers: MiddlewareHandler<AppEnv>[],
): RoutePolicy<Variables> {
  const composed = every(...handlers) as MiddlewareHandler<AppEnv & { Variables: Variables }>
  return {
    middleware: Object.assign(composed, { statement }),
    security: securityFor(statement),
    [POLICY_EXTENSION]: statement,
  }
}

/** Anyone may call; counted per IP. With `cache`, GETs are served from the edge cache and only misses count. */
export function publicRoute(options: { cache?: true | { query: { shape: object } } } = {}) {
  const { cache } = options
  if (!cache) {
    return definePolicy({ preset: 'publicRoute', caller: 'anyone', rateLimit: ['ip'], cache: 'none' }, [
      rateLimitPerIp('RATE_LIMIT_PUBLIC'),
    ])
  }
  const query = cache === true ? [] : Object.keys(cache.query.shape)
  return definePolicy({ preset: 'publicRoute', caller: 'anyone', rateLimit: ['ip'], cache: 'edge' }, [
    edgeCache({ query, beforeOrigin: limitPerIp }),
  ])
}

/** A credential endpoint anyone may call: the strict per-IP auth limit, then the per-IP limit. */
export function authLimited() {
  return definePolicy({ preset: 'authLimited', caller: 'anyone', rateLimit: ['auth', 'ip'], cache: 'none' }, [
    rateLimitPerIp('RATE_LIMIT_AUTH'),
    rateLimitPerIp('RATE_LIMIT_PUBLIC'),
  ])
}

/** Operational routes outside /v1 that monitors and token verifiers call: public and never throttled. */
export function unmetered() {
  return definePolicy({ preset: 'unmetered', caller: 'anyone', rateLimit: [], cache: 'none' }, [])
}

type PolicedRoute = {
  method: string
  path: string
  middleware?: unknown
  security?: unknown
  [POLICY_EXTENSION]?: PolicyStatement
}

/**
 * Throws unless the route states its policy with exactly one preset: the statement, the middleware that
 * implements it, and the security it implies, untouched.
 */
export function assertRoutePolicy(route: PolicedRoute): void {
  const statement = route[POLICY_EXTENSION]
  const middleware = route.middleware as ((...args: never) => unknown) & { statement?: unknown }
  const intact =
    statement !== undefined &&
    typeof middleware === 'function' &&
    middleware.statement === statement &&
    JSON.stringify(route.security) === JSON.stringify(securityFor(statement))
  if (!intact) {
    throw new Error(
      `${route.method.toUpperCase()} ${route.path}: state the route's policy by spreading one preset into ` +
        'createRoute (publicRoute, authLimited, unmetered from src/http/policy.ts; signedIn, admin from the auth ' +
        'feature) and set no other middleware or security',
    )
  }
}
