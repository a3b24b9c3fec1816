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
    const preflight = await inner(c, next)
    const origin = c.req.header('Origin')
    if (!origin || !isAllowed(origin, c)) return preflight
    if (preflight) {
      preflight.headers.set('Access-Control-Allow-Credentials', 'true')
      return preflight
    }
    // Set again after the handler: a response built afresh below (a 304 from the ETag middleware) carries none
    // of the headers set before it, and a browser refuses a 304 without them.
    c.header('Access-Control-Allow-Origin', origin)
    c.header('Access-Control-Allow-Credentials', 'true')
    if (exposed && !c.res.headers.has('Access-Control-Expose-Headers'))
      c.header('Access-Control-Expose-Headers', exposed)
    return preflight
  }
}
