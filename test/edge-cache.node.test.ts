// Runs in the node project only (vitest.config.ts): without the binding, the middleware must pass through.
import { describe, expect, it } from 'vitest'
import { createBook } from './helpers/fixtures'
import { api } from './helpers/http'

const cacheStatus = (response: Response) => response.headers.get('Cache-Status')

/**
 * Repeats `first` then `second` until `second` is a hit (the store happens in waitUntil, and other test files
 * may bump the shared catalog version in between), and returns that pair.
 */
async function _untilHit(first: () => Promise<Response>, second: () => Promise<Response>) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = await first()
    const b = await second()
    if (cacheStatus(b)?.startsWith('Folio; hit')) return { first: a, second: b }
  }
  throw new Error('never served from the edge cache')
}

describe('edge cache (Node: no Cache API)', () => {
  it('passes every request through without a Cache-Status', async () => {
    const book = await createBook()
    for (let i = 0; i < 2; i++) {
      const response = await api('GET', `/v1/books/${book.id}`)
      expect(response.status).toBe(200)
      expect(cacheStatus(response)).toBeNull()
    }
  })
})
