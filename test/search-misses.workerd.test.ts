// Runs in the workerd project only: the edge cache (Cache API) exists there, not in Node.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { searchMisses } from '../src/db/schema'
import { untilHit } from './helpers/edge-cache'
import { uniqueWord } from './helpers/fixtures'
import { api } from './helpers/http'

describe('search misses and the edge cache', () => {
  it('does not count a miss answered from the edge cache: only the request that reached the handler counts', async () => {
    const word = uniqueWord('cq')
    const path = `/v1/books?q=${word}`
    const { first, second } = await untilHit(
      () => api('GET', path),
      () => api('GET', path),
    )
    expect(first.headers.get('Cache-Status')).toContain('fwd=')
    expect(second.headers.get('Cache-Status')).toContain('hit')
    const [miss] = await harness.db().select().from(searchMisses).where(eq(searchMisses.query, word))
    // untilHit may have needed more than one round (another file bumping the catalog version): every forwarded
    // request counted, no hit did.
    expect(miss?.count).toBeGreaterThanOrEqual(1)
    const forwarded = miss!.count
    await api('GET', path)
    const [after] = await harness.db().select().from(searchMisses).where(eq(searchMisses.query, word))
    expect(after!.count).toBe(forwarded)
  })
})
