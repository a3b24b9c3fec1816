import type { Context } from 'hono'
import { deviceLabel } from '../../lib/device'

/** Where a request comes from, as recorded on login attempts, sessions and security events. */
export type ClientInfo = { ip: string; userAgent: string; device: string; country: string | null }

/**
 * `cf-connecting-ip` is set by Cloudflare's edge and cannot be forged by the client there; locally (no edge) it is
 * absent and everything counts as one client. The country comes from the request's `cf` object only.
 */
export function clientInfo(c: Context): ClientInfo {
  const userAgent = (c.req.header('User-Agent') ?? '').slice(0, 512)
  const cf = (c.req.raw as { cf?: { country?: unknown } }).cf
  return {
    ip: c.req.header('cf-connecting-ip') ?? 'unknown',
    userAgent,
    device: deviceLabel(userAgent),
    country: typeof cf?.country === 'string' ? cf.country : null,
  }
}
