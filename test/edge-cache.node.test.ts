// Runs in the node project only (vitest.config.ts): without the binding, the middleware must pass through.
import { describe, expect, it } from 'vitest'
import { cacheStatus } from './helpers/edge-cache'
import { createBook } from './helpers/fixtures'
import { api } from './helpers/http'

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
