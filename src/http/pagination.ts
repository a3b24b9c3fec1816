import type { Context } from 'hono'
import { z } from 'zod'
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

/** How a list is paged: the shape of its cursor and the cursor of a row (its sort key and tie-breaker). */
export type Keyset<Key, Row> = { schema: z.ZodType<Key>; keyOf: (row: Row) => Key }

/** The decoded cursor of a request, undefined on the first page; a bad cursor is a 400. */
export function readCursor<Key>(cursor: string | undefined, keyset: Pick<Keyset<Key, never>, 'schema'>) {
  return cursor === undefined ? undefined : (decodeCursor(cursor, keyset.schema) as Key)
}

/**
 * The one keyset-pagination loop (books, orders, admin users, audit): `fetch` returns up to `take` rows after the
 * cursor's key in the list's order; one row more than the page tells whether a next page exists, and the last
 * row of the page becomes the next cursor.
 */
export async function keysetPage<Key, Row>(
  keyset: Keyset<Key, Row>,
  request: { cursor?: string; limit: number },
  fetch: (after: Key | undefined, take: number) => PromiseLike<Row[]>,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  return toPage(keyset, request.limit, await fetch(readCursor(request.cursor, keyset), request.limit + 1))
}

/** A page from up to `limit + 1` rows fetched after the cursor (see keysetPage), for a fetch made in a batch. */
export function toPage<Key, Row>(
  keyset: Keyset<Key, Row>,
  limit: number,
  fetched: Row[],
): { rows: Row[]; nextCursor: string | null } {
  const rows = fetched.slice(0, limit)
  const last = rows.at(-1)
  const more = fetched.length > limit && last !== undefined
  return { rows, nextCursor: more ? encodeCursor(keyset.keyOf(last)) : null }
}

/** Newest-first lists ordered by a monotonic `seq` column (orders, audit): the cursor is the last row's seq. */
export const bySeq: Keyset<{ i: number }, { seq: number }> = {
  schema: z.object({ i: z.number().int() }),
  keyOf: (row) => ({ i: row.seq }),
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
export function setNextLink(
  c: Context,
  nextCursor: string | null,
  query: { shape: object },
  /** Parameters the next page takes from the answer instead of the request (a corrected search's `q`). */
  replaced: Record<string, string> = {},
): void {
  if (!nextCursor) return
  const url = new URL(c.req.url)
  const params = canonicalQuery(url.searchParams, Object.keys(query.shape))
  for (const [name, value] of Object.entries(replaced)) params.set(name, value)
  params.set('cursor', nextCursor)
  params.sort()
  c.header('Link', `<${url.pathname}?${params}>; rel="next"`)
}
