import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { hcFolio } from '../src/client'
import { createBook } from './helpers/fixtures'

// The typed client a frontend gets (src/client.ts): paths, query and response bodies are checked by tsc.
const client = hcFolio('http://folio.test', {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString())
    return harness.request(`${url.pathname}${url.search}`, init)
  },
})

describe('hc typed client', () => {
  it('lists and fetches books with typed responses', async () => {
    const book = await createBook()
    const page = await client.v1.books.$get({ query: { limit: '2' } })
    expect(page.status).toBe(200)
    if (page.status === 200) {
      const body = await page.json()
      expect(body.data.length).toBeLessThanOrEqual(2)
    }
    const one = await client.v1.books[':id'].$get({ param: { id: book.id } })
    expect(one.status).toBe(200)
    if (one.status === 200) expect((await one.json()).isbn).toBe(book.isbn)
  })
})
