import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { ApiError } from '../http/problem'

/** Methods whose requests carry a body (RFC 9110 §9.3: GET, HEAD and OPTIONS define none). */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A request that carries a body must say it is JSON; anything else is 415 (RFC 9110 §15.5.16). */
export function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (BODY_METHODS.has(c.req.method)) {
      const length = c.req.header('Content-Length')
      const hasBody =
        (length !== undefined && length !== '0') || c.req.header('Transfer-Encoding') !== undefined
      const type = c.req.header('Content-Type') ?? ''
      if (hasBody && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
        throw new ApiError(415, {
          title: 'Unsupported media type',
          detail: 'Send the request body as JSON with Content-Type: application/json',
          headers: { 'Accept-Post': 'application/json', 'Accept-Patch': 'application/json' },
        })
      }
    }
    await next()
  }
}
