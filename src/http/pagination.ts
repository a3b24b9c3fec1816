import type { Context } from 'hono'
import { base64url } from 'jose'
import type { z } from 'zod'
import { ApiError } from './problem'

/**
 * Opaque cursors: base64url JSON of the last row's sort key and seq. Keyset pagination keeps every page as cheap
 * as the first and stable while rows are inserted (unlike OFFSET).
 */
export function encodeCursor(value: unknown): string {
  return base64url.encode(JSON.stringify(value))
}

export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.output<T> {
  try {
    return schema.parse(JSON.parse(new TextDecoder().decode(base64url.decode(cursor))))
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

/** Sets `Link: <…>; rel="next"` (RFC 8288) with the same query and the next cursor. */
export function setNextLink(c: Context, nextCursor: string | null): void {
  if (!nextCursor) return
  const url = new URL(c.req.url)
  url.searchParams.set('cursor', nextCursor)
  c.header('Link', `<${url.pathname}${url.search}>; rel="next"`)
}
