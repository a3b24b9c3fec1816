import { beforeAll, describe, expect, it } from 'vitest'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'

type Page = {
  data: { id: string; title: string; price: { amount: number }; publishedYear: number }[]
  nextCursor: string | null
}

// Every book here carries one random author word, so queries filtered by it see only this file's rows.
const author = uniqueWord('auth')
const list = async (query: string) => {
  const response = await api('GET', `/v1/books?author=${author}&${query}`)
  expect(response.status).toBe(200)
  return json<Page>(response)
}

beforeAll(async () => {
  const books = [
    { title: 'Alpha Tekup Stories', price: 500, year: 1990, language: 'en', stock: 3 },
    { title: 'beta Lighthouse', price: 1500, year: 2001, language: 'fr', stock: 0 },
    { title: 'Gamma Harbour', price: 1000, year: 1985, language: 'en', stock: 7 },
    { title: 'Delta Orchard', price: 2500, year: 2015, language: 'de', stock: 1 },
    { title: 'Epsilon River', price: 750, year: 1970, language: 'en', stock: 0 },
  ]
  for (const book of books) {
    await createBook({
      title: book.title,
      authors: [`Writer ${author}`],
      price: { amount: book.price, currency: 'EUR' },
      publishedYear: book.year,
      language: book.language,
      stock: book.stock,
      description: book.title === 'Gamma Harbour' ? 'Mentions lighthouse keepers in passing.' : 'Plain.',
    })
  }
})

describe('GET /v1/books pagination', () => {
  it('walks every page with nextCursor and the Link header, without gaps or repeats', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const response = await api(
        'GET',
        `/v1/books?author=${author}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      const page = await json<Page>(response)
      seen.push(...page.data.map((book) => book.id))
      if (page.nextCursor) expect(response.headers.get('Link')).toContain('rel="next"')
      else expect(response.headers.get('Link')).toBeNull()
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(5)
  })

  it.each([
    'limit=0',
    'limit=1000',
    'limit=abc',
    'cursor=not-a-cursor',
    'sort=colour',
    'order=sideways',
    'minPrice=-5',
  ])('answers 400 with field errors for %s', async (query) => {
    const response = await api('GET', `/v1/books?${query}`)
    expect(response.status).toBe(400)
    const problem = await json(response)
    expect(problem.errors.length).toBeGreaterThan(0)
    expect(problem.errors[0].pointer).toMatch(/^\/query\//)
  })

  it('rejects a cursor from another sort order', async () => {
    const page = await list('limit=1&sort=price')
    const response = await api(
      'GET',
      `/v1/books?author=${author}&limit=1&sort=title&cursor=${page.nextCursor}`,
    )
    expect(response.status).toBe(400)
  })
})

describe('GET /v1/books sorting and filters', () => {
  it.each([
    [
      'sort=price',
      ['Alpha Tekup Stories', 'Epsilon River', 'Gamma Harbour', 'beta Lighthouse', 'Delta Orchard'],
    ],
    [
      'sort=price&order=desc',
      ['Delta Orchard', 'beta Lighthouse', 'Gamma Harbour', 'Epsilon River', 'Alpha Tekup Stories'],
    ],
    [
      'sort=title',
      ['Alpha Tekup Stories', 'beta Lighthouse', 'Delta Orchard', 'Epsilon River', 'Gamma Harbour'],
    ],
    [
      'sort=publishedYear',
      ['Epsilon River', 'Gamma Harbour', 'Alpha Tekup Stories', 'beta Lighthouse', 'Delta Orchard'],
    ],
    [
      'sort=createdAt&order=asc',
      ['Alpha Tekup Stories', 'beta Lighthouse', 'Gamma Harbour', 'Delta Orchard', 'Epsilon River'],
    ],
  ])('%s orders the whole result, across pages', async (query, expected) => {
    const first = await list(`${query}&limit=3`)
    const second = await list(`${query}&limit=3&cursor=${first.nextCursor}`)
    expect([...first.data, ...second.data].map((book) => book.title)).toEqual(expected)
  })

  it('filters by language, price range and stock', async () => {
    expect((await list('language=en')).data).toHaveLength(3)
    expect((await list('minPrice=750&maxPrice=1500')).data.map((book) => book.price.amount).sort()).toEqual([
      1000, 1500, 750,
    ])
    expect((await list('inStock=true')).data).toHaveLength(3)
    expect((await list('inStock=false')).data).toHaveLength(2)
    expect((await api('GET', '/v1/books?minPrice=10&maxPrice=5')).status).toBe(400)
  })
})

describe('GET /v1/books?q= search', () => {
  it('finds words by prefix, case-insensitively, in titles', async () => {
    const page = await list('q=tekup')
    expect(page.data.map((book) => book.title)).toEqual(['Alpha Tekup Stories'])
    expect((await list('q=TEK')).data).toHaveLength(1)
  })

  it('ranks a title match above a description match', async () => {
    const page = await list('q=lighthouse')
    expect(page.data.map((book) => book.title)).toEqual(['beta Lighthouse', 'Gamma Harbour'])
  })

  it('finds authors through the author filter and the keyword search', async () => {
    expect((await json<Page>(await api('GET', `/v1/books?q=${author}`))).data).toHaveLength(5)
  })

  it.each([
    '"unbalanced',
    'title:secret',
    'a* OR b*',
    'NEAR(a b)',
    'x AND NOT y',
    '^start',
    '(((',
    "'; DROP TABLE books; --",
    'ÜBER straße',
    '東京',
    '🙂 emoji',
    '-',
  ])('never fails on FTS syntax in user text: %s', async (q) => {
    const response = await api('GET', `/v1/books?q=${encodeURIComponent(q)}`)
    expect([200, 400]).toContain(response.status)
    expect(response.headers.get('Content-Type')).toMatch(/json/)
  })

  it('answers 400, not 500, to a 10 kB query', async () => {
    const response = await api('GET', `/v1/books?q=${'a'.repeat(10_000)}`)
    expect(response.status).toBe(400)
  })

  it('still answers after a hostile search (nothing was dropped)', async () => {
    await api('GET', `/v1/books?q=${encodeURIComponent("'; DROP TABLE books; --")}`)
    expect((await list('limit=1')).data).toHaveLength(1)
  })
})

describe('XML responses', () => {
  it('answers the same list as XML when Accept prefers it', async () => {
    const response = await api('GET', `/v1/books?author=${author}&sort=title&limit=1`, {
      headers: { Accept: 'application/xml' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('application/xml')
    expect(response.headers.get('Vary')).toContain('Accept')
    const xml = await response.text()
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><response><data><item><id>bk_/)
    expect(xml).toContain('<title>Alpha Tekup Stories</title>')
  })

  it('reads media types case-insensitively (RFC 9110 §8.3.1)', async () => {
    const response = await api('GET', '/v1/books?limit=1', { headers: { Accept: 'APPLICATION/XML' } })
    expect(response.headers.get('Content-Type')).toContain('application/xml')
    expect(await response.text()).toMatch(/^<\?xml /)
  })

  it('keeps JSON when JSON is preferred, and answers errors as problem+xml', async () => {
    const json = await api('GET', '/v1/books?limit=1', {
      headers: { Accept: 'application/json, application/xml;q=0.5' },
    })
    expect(json.headers.get('Content-Type')).toContain('application/json')
    const error = await api('GET', '/v1/books?limit=0', { headers: { Accept: 'application/xml' } })
    expect(error.status).toBe(400)
    expect(error.headers.get('Content-Type')).toBe('application/problem+xml')
    expect(await error.text()).toContain(
      '<problem xmlns="urn:ietf:rfc:7807"><type>/problems/bad-request</type>',
    )
  })

  it('escapes markup in data', async () => {
    const book = await createBook({ title: '<script>alert(1)</script> & more' })
    const response = await api('GET', `/v1/books/${book.id}`, { headers: { Accept: 'application/xml' } })
    const xml = await response.text()
    expect(xml).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</title>')
    expect(xml).not.toContain('<script>')
  })
})
