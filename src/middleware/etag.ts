import type { MiddlewareHandler } from 'hono'
import { etag } from 'hono/etag'
import { toHex } from '../lib/digest'

type EtagOptions = NonNullable<Parameters<typeof etag>[0]>

/**
 * Hono's ETag middleware, for answers a cache may keep. A validator exists so that a stored copy can be
 * revalidated (RFC 9110 §8.8.3, RFC 9111 §4.3): an answer marked `no-store`, or without any Cache-Control, is
 * never revalidated, so hashing its bytes on every request buys nothing. An answer that already carries its tag
 * (an edge-cache hit, whose tag was stored with the entry) is not hashed again either; either way a matching
 * `If-None-Match` still gets the 304.
 */
export function etagForStorable(options: EtagOptions): MiddlewareHandler {
  const inner = etag(options)
  const answered = async () => {}
  return async (c, next) => {
    await next()
    const headers = c.res.headers
    if (!headers.has('ETag')) {
      const control = headers.get('Cache-Control')
      if (control === null || /no-store/i.test(control)) return
    }
    await inner(c, answered)
  }
}

/** Hono's default tag (SHA-1 of the bytes, hex) for a body below its 256 KiB chunk size; null above it. */
export async function strongEtag(body: ArrayBuffer): Promise<string | null> {
  if (body.byteLength >= 262144) return null
  return `"${toHex(await crypto.subtle.digest('SHA-1', body))}"`
}
