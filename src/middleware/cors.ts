import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from '../env'

type CorsOptions = NonNullable<Parameters<typeof cors>[0]>

/**
 * Hono's CORS middleware, with credentials granted only where the origin is: `Access-Control-Allow-Credentials:
 * true` accompanies an echoed, allow-listed `Access-Control-Allow-Origin` and is never sent to other origins (a
 * browser reads a credentialed response only when both are present, and never with `*`; Fetch Standard §3.2.5,
 * OWASP HTML5 Security Cheat Sheet "CORS"). Hono's own `credentials` option would send it to every origin.
 */
export function credentialedCors(
  options: Omit<CorsOptions, 'credentials' | 'origin'> & {
    isAllowed: (origin: string, c: Parameters<MiddlewareHandler<AppEnv>>[0]) => boolean
  },
): MiddlewareHandler<AppEnv> {
  const { isAllowed, ...rest } = options
  const inner = cors({ ...rest, origin: (origin, c) => (origin && isAllowed(origin, c) ? origin : null) })
  const exposed = rest.exposeHeaders?.join(',')
  return async (c, next) => {
    const origin = c.req.header('Origin')
    const allowed = origin !== undefined && isAllowed(origin, c)
    if (c.req.method === 'OPTIONS') {
      const preflight = await inner(c, next)
      if (preflight && allowed) preflight.headers.set('Access-Control-Allow-Credentials', 'true')
      return preflight
    }
    // Not a preflight: the same headers Hono's middleware gives an actual request, set once on the final response
    // (setting them before the handler costs a placeholder response and a copy of it). A response built afresh
    // below (a 304 from the ETag middleware) carries them too, and a browser refuses a 304 without them.
    // `Vary: Origin` on every answer (a shared cache must not hand one origin's answer to another); the rest only
    // to an allowed origin, the one reader of a CORS response's headers (Fetch Standard §3.2.3: a browser applies
    // `Access-Control-Expose-Headers` to a response whose origin check passed, and nothing else reads it).
    await next()
    const headers = c.res.headers
    headers.append('Vary', 'Origin')
    if (!allowed) return
    headers.set('Access-Control-Allow-Origin', origin)
    headers.set('Access-Control-Allow-Credentials', 'true')
    if (exposed) headers.set('Access-Control-Expose-Headers', exposed)
  }
}
