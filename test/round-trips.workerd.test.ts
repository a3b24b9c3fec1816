// Runs in the workerd project only (vitest.config.ts): a cache hit needs the Cache API, which Node does not have.
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { untilHit } from './helpers/edge-cache'
import { createBook } from './helpers/fixtures'
import { roundTrips } from './helpers/round-trips'

/** Production's setting: an isolate reuses the catalog version for a while instead of reading it per request. */
const production = { CATALOG_VERSION_TTL_SECONDS: '60' }
const get = (path: string) => () => harness.requestWithEnv(path, undefined, production)

describe('database round trips of a cached read (Server-Timing)', () => {
  it('a cache hit runs no query and opens no D1 session (the catalog version is remembered)', async () => {
    const book = await createBook()
    for (const path of [`/v1/books/${book.id}`, '/v1/books?limit=3']) {
      const { second } = await untilHit(get(path), get(path))
      expect(second.status).toBe(200)
      expect(roundTrips(second)).toBe(0)
      // No session, so no new bookmark: the client keeps the one it has.
      expect(second.headers.get('X-D1-Bookmark')).toBeNull()
    }
  })
})
