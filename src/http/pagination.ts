import type { Context } from 'hono'
import type { z } from 'zod'
import { decodeBase64Url, encodeBase64Url } from '../lib/base64url'
import { canonicalQuery } from './canonical-query'
import { ApiError } from './problem'

/**
 * Opaque cursors: base64url JSON of the last row's sort key and seq. Keyset pagination keeps every page as cheap
 * as the first and stable while rows are inserted (unlike OFFSET).
 */
export function encodeCursor(value: unknown): string {
  return encodeBase64Url(JSON.stringify(value))
}

export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.output<T> {
  try {
    return schema.parse(JSON.parse(new TextDecoder().decode(decodeBase64Url(cursor))))
  } catch {
    throw invalidCursor()
  }
}

export function invalidCursor(): ApiError {
  return new ApiError(400, {
    title: 'Invalid cursor',
    detail: 'The cursor is malformed or belongs to another sort order; use nextCursor from a previous page',
    errors: [{ pointer: '/query/cursor', detail: 'Malformed cursor' }],
  })
}

/**
 * Sets `Link: <…>; rel="next"` (RFC 8288): the route's own query parameters (`query`, its zod query schema),
 * in canonical order, with the next cursor. Nothing else from the request URL is echoed: the edge cache stores
 * this header under a key that ignores unknown parameters, so echoing them would let one request poison the
 * entry every later reader gets (OWASP WSTG-INPV-17, web cache poisoning).
 */
export function setNextLink(c: Context, nextCursor: string | null, query: { shape: object }): void {
  if (!nextCursor) return
  const url = new URL(c.req.url)
  const params = canonicalQuery(url.searchParams, Object.keys(query.shape))
  params.set('cursor', nextCursor)
  params.sort()
  c.header('Link', `<${url.pathname}?${params}>; rel="next"`)
}
