import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { jsonToXml, prefersXml } from '../http/negotiate'

/**
 * Re-encodes `c.res` for an XML client: a JSON resource (or problem) becomes XML when `Accept` prefers it.
 * Idempotent, so the edge cache can call it before storing (its entries are the final bytes) and this
 * middleware again around every route.
 */
export async function negotiateRepresentation(c: Context): Promise<void> {
  const type = c.res.headers.get('Content-Type') ?? ''
  const isProblem = type.startsWith('application/problem+json')
  // Only a JSON answer has an XML form, so only it varies by Accept (RFC 9110 §12.5.5); an HTML page, a text or
  // an image is the same whatever the client accepts.
  if (!(isProblem || type.startsWith('application/json'))) return
  if (!/(^|,)\s*accept\s*(,|$)/i.test(c.res.headers.get('Vary') ?? '')) c.res.headers.append('Vary', 'Accept')
  if (!prefersXml(c)) return
  const body = await c.res.json()
  const headers = new Headers(c.res.headers)
  headers.set('Content-Type', isProblem ? 'application/problem+xml' : 'application/xml; charset=UTF-8')
  headers.delete('Content-Length')
  c.res = new Response(jsonToXml(body, isProblem ? 'problem' : 'resource'), {
    status: c.res.status,
    headers,
  })
}

/**
 * Content negotiation for XML clients: handlers always produce JSON; when `Accept` prefers XML, the same
 * resource (or problem) is re-encoded here, so every route, error included, speaks both without extra code.
 */
export function xmlNegotiation(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    await negotiateRepresentation(c)
  }
}
