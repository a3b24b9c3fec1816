// Runs in the workerd project only (vitest.config.ts): it needs a binding Node does not have.
import { describe, expect, it } from 'vitest'
import { cacheStatus, untilHit } from './helpers/edge-cache'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

describe('edge cache (workerd: Cache API)', () => {
  it('stores a public book read and serves the next one from the cache, with Cache-Status', async () => {
    const book = await createBook()
    const get = () => api('GET', `/v1/books/${book.id}`)
    const { first, second } = await untilHit(get, get)
    expect(cacheStatus(first)).toMatch(/^Folio; (fwd=miss; stored|hit; detail=(memory|edge))$/)
    expect(second.status).toBe(200)
    expect(await json(second)).toEqual(book)
    expect(second.headers.get('Cache-Control')).toBe('public, max-age=30, stale-while-revalidate=60')
    expect(cacheStatus(second)).toMatch(/^Folio; hit; detail=(memory|edge)$/)
    expect(second.headers.get('Server-Timing')).toMatch(/cache;dur=[\d.]+;desc="hit \((memory|edge)\)"/)
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'))
    expect(second.headers.get('X-Request-Id')).not.toBe(first.headers.get('X-Request-Id'))
  })

  it('answers If-None-Match with 304 on a cache hit', async () => {
    const book = await createBook()
    const { second } = await untilHit(
      () => api('GET', `/v1/books/${book.id}`),
      () => api('GET', `/v1/books/${book.id}`),
    )
    const revalidated = await api('GET', `/v1/books/${book.id}`, {
      headers: { 'If-None-Match': second.headers.get('ETag')! },
    })
    expect(revalidated.status).toBe(304)
  })

  it('retires every cached page when an admin edits the catalog', async () => {
    const word = uniqueWord()
    const book = await createBook({ title: `Before ${word}` })
    const list = () => api('GET', `/v1/books?q=${word}`)
    await untilHit(list, list)
    const patch = await api('PATCH', `/v1/books/${book.id}`, {
      token: await adminToken(),
      body: { title: `After ${word}` },
    })
    expect(patch.status).toBe(200)
    const after = await list()
    expect(cacheStatus(after)).not.toMatch(/^Folio; hit/)
    expect((await json(after)).data.map((item: { title: string }) => item.title)).toEqual([`After ${word}`])
  })

  it('ignores unknown query parameters and parameter order in the key', async () => {
    const word = uniqueWord()
    await createBook({ title: `Ordering ${word}` })
    const { second } = await untilHit(
      () => api('GET', `/v1/books?q=${word}&limit=5`),
      () => api('GET', `/v1/books?utm_source=mail&limit=5&q=${word}&junk=${crypto.randomUUID()}`),
    )
    expect((await json(second)).data).toHaveLength(1)
  })

  it('keeps JSON and XML representations apart', async () => {
    const book = await createBook()
    await untilHit(
      () => api('GET', `/v1/books/${book.id}`),
      () => api('GET', `/v1/books/${book.id}`),
    )
    const xml = await api('GET', `/v1/books/${book.id}`, { headers: { Accept: 'application/xml' } })
    expect(xml.headers.get('Content-Type')).toMatch(/^application\/xml/)
    expect(await xml.text()).toContain(`<id>${book.id}</id>`)
  })

  it('stores the XML representation as sent: a hit has the same bytes and ETag, and answers If-None-Match', async () => {
    const book = await createBook()
    const getXml = (headers: Record<string, string> = {}) =>
      api('GET', `/v1/books/${book.id}`, { headers: { Accept: 'application/xml', ...headers } })
    const { first, second } = await untilHit(getXml, getXml)
    expect(second.headers.get('Content-Type')).toMatch(/^application\/xml/)
    // Named once, though the cache and the app's XML conversion both negotiate the representation.
    expect(
      second.headers
        .get('Vary')
        ?.split(/,\s*/)
        .filter((name) => name === 'Accept'),
    ).toEqual(['Accept'])
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'))
    expect(await second.text()).toBe(await first.text())
    const revalidated = await getXml({ 'If-None-Match': second.headers.get('ETag')! })
    expect(revalidated.status).toBe(304)
  })

  it('does not cache requests that carry Authorization', async () => {
    const book = await createBook()
    const response = await api('GET', `/v1/books/${book.id}`, { token: await adminToken() })
    expect(response.status).toBe(200)
    expect(cacheStatus(response)).toBe('Folio; fwd=bypass; detail=authorization')
  })

  it('refreshes the entry when the client sends Cache-Control: no-cache', async () => {
    const book = await createBook()
    const response = await api('GET', `/v1/books/${book.id}`, { headers: { 'Cache-Control': 'no-cache' } })
    expect(cacheStatus(response)).toBe('Folio; fwd=request; stored')
  })

  it('neither looks up nor stores when the client sends Cache-Control: no-store', async () => {
    const book = await createBook()
    const response = await api('GET', `/v1/books/${book.id}`, { headers: { 'Cache-Control': 'no-store' } })
    expect(response.status).toBe(200)
    expect(cacheStatus(response)).toBe('Folio; fwd=request')
    expect(cacheStatus(await api('GET', `/v1/books/${book.id}`))).toBe('Folio; fwd=miss; stored')
  })

  it('reads your own write when the bookmark from the write is sent back', async () => {
    const word = uniqueWord()
    const book = await createBook({ title: `Old ${word}` })
    const get = () => api('GET', `/v1/books/${book.id}`)
    await untilHit(get, get)
    const patch = await api('PATCH', `/v1/books/${book.id}`, {
      token: await adminToken(),
      body: { title: `New ${word}` },
    })
    const bookmark = patch.headers.get('X-D1-Bookmark')
    expect(bookmark).toBeTruthy()
    const read = await api('GET', `/v1/books/${book.id}`, { headers: { 'X-D1-Bookmark': bookmark! } })
    expect((await json(read)).title).toBe(`New ${word}`)
    expect(read.headers.get('X-D1-Bookmark')).toBeTruthy()
  })

  it('never stores errors', async () => {
    const missing = `/v1/books/bk_${'0'.repeat(26)}`
    await api('GET', missing)
    const again = await api('GET', missing)
    expect(again.status).toBe(404)
    expect(cacheStatus(again)).toBe('Folio; fwd=miss')
  })
})
