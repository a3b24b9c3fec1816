import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { untilHit } from './helpers/edge-cache'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

async function createSubject(body: Record<string, unknown>) {
  const response = await api('POST', '/v1/subjects', { token: await adminToken(), body })
  if (response.status !== 201) throw new Error(`createSubject ${response.status}: ${await response.text()}`)
  return json(response)
}

const list = async (query: string) => {
  const response = await api('GET', `/v1/books?${query}`)
  if (response.status !== 200) throw new Error(`list ${response.status}: ${await response.text()}`)
  return json(response)
}

/** A small catalogue of its own, tagged with one word so searches and counts see only these books. */
async function catalogue() {
  const word = uniqueWord('facet')
  const fiction = await createSubject({ name: `Fiction ${word}` })
  const fantasy = await createSubject({ name: `Fantasy ${word}`, parentId: fiction.id })
  const epic = await createSubject({ name: `Epic ${word}`, parentId: fantasy.id })
  const crime = await createSubject({ name: `Crime ${word}`, parentId: fiction.id })
  const history = await createSubject({ name: `History ${word}` })
  const book = (fields: Record<string, unknown>) => createBook({ title: `${word} tale`, ...fields })
  await book({
    format: 'ebook',
    language: 'en',
    price: { amount: 499, currency: 'EUR' },
    subjectIds: [epic.id],
  })
  // Filed under Fantasy and under its child Epic: counted once for Fantasy.
  await book({
    format: 'hardcover',
    language: 'en',
    price: { amount: 1000, currency: 'EUR' },
    subjectIds: [fantasy.id, epic.id],
  })
  await book({
    format: 'paperback',
    language: 'fr',
    price: { amount: 1999, currency: 'EUR' },
    subjectIds: [crime.id],
  })
  await book({
    format: 'ebook',
    language: 'de',
    price: { amount: 5000, currency: 'EUR' },
    subjectIds: [history.id],
  })
  await book({ language: 'en', price: { amount: 2500, currency: 'EUR' } })
  return { word, fiction, fantasy, epic, crime, history }
}

const counts = (facet: { value: string; count: number }[]) =>
  Object.fromEntries(facet.map((item) => [item.value, item.count]))

describe('GET /v1/books?facets=…', () => {
  it('counts every matching book per subject, language, format and price band', async () => {
    const { word, fiction, history } = await catalogue()
    const page = await list(`q=${word}&limit=2&facets=subject,language,format,price`)
    expect(page.data).toHaveLength(2)
    expect(page.facets.subject).toEqual([
      { value: fiction.id, name: fiction.name, slug: fiction.slug, count: 3 },
      { value: history.id, name: history.name, slug: history.slug, count: 1 },
    ])
    expect(counts(page.facets.language)).toEqual({ en: 3, fr: 1, de: 1 })
    expect(page.facets.language[0]).toEqual({ value: 'en', count: 3 })
    expect(counts(page.facets.format)).toEqual({ ebook: 2, hardcover: 1, paperback: 1, unknown: 1 })
    expect(page.facets.price).toEqual([
      { value: 'under-10', min: 0, max: 1000, count: 1 },
      { value: '10-20', min: 1000, max: 2000, count: 2 },
      { value: '20-50', min: 2000, max: 5000, count: 1 },
      { value: '50-and-over', min: 5000, max: null, count: 1 },
    ])
    // The same counts on the next page: they describe the query, not the page.
    const next = await list(
      `q=${word}&limit=2&facets=subject,language,format,price&cursor=${page.nextCursor}`,
    )
    expect(next.facets).toEqual(page.facets)
  })

  it('applies the filters, and drills down into the children of the filtered subject', async () => {
    const { word, fiction, fantasy, crime } = await catalogue()
    const ebooks = await list(`q=${word}&format=ebook&facets=language,price`)
    expect(counts(ebooks.facets.language)).toEqual({ en: 1, de: 1 })
    expect(ebooks.facets.price.map((band: { count: number }) => band.count)).toEqual([1, 0, 0, 1])

    const underFiction = await list(`subject=${fiction.slug}&facets=subject,format`)
    expect(underFiction.data).toHaveLength(3)
    expect(underFiction.facets.subject).toEqual([
      { value: fantasy.id, name: fantasy.name, slug: fantasy.slug, count: 2 },
      { value: crime.id, name: crime.name, slug: crime.slug, count: 1 },
    ])
    expect(counts(underFiction.facets.format)).toEqual({ ebook: 1, hardcover: 1, paperback: 1 })
    const inStockFrench = await list(`subject=${fiction.id}&language=fr&inStock=true&facets=subject`)
    expect(counts(inStockFrench.facets.subject)).toEqual({ [crime.id]: 1 })
    const soldOut = await list(`subject=${fiction.id}&inStock=false&facets=subject,language`)
    expect(soldOut.facets).toEqual({ subject: [], language: [] })
  })

  it('answers only the facets asked for, and none without the parameter', async () => {
    const { word } = await catalogue()
    expect(Object.keys((await list(`q=${word}&facets=price`)).facets)).toEqual(['price'])
    expect(await list(`q=${word}`)).not.toHaveProperty('facets')
  })

  it.each([
    ['an unknown facet', 'facets=colour'],
    ['an unknown facet among known ones', 'facets=language,colour'],
    ['an empty list', 'facets='],
  ])('refuses %s (400)', async (_, query) => {
    const response = await api('GET', `/v1/books?${query}`)
    expect(response.status).toBe(400)
    expect((await json(response)).errors[0].pointer).toBe('/query/facets')
  })

  it('keys the edge cache by the facets asked for', async () => {
    const { word } = await catalogue()
    const plain = () => api('GET', `/v1/books?q=${word}`)
    if (harness.runtime === 'workerd') await untilHit(plain, plain)
    const faceted = await json(await api('GET', `/v1/books?q=${word}&facets=language`))
    expect(counts(faceted.facets.language)).toEqual({ en: 3, fr: 1, de: 1 })
    expect(await json(await plain())).not.toHaveProperty('facets')
  })

  it('speaks XML too', async () => {
    const { word } = await catalogue()
    const response = await api('GET', `/v1/books?q=${word}&facets=format`, {
      headers: { Accept: 'application/xml' },
    })
    expect(await response.text()).toMatch(
      /<facets><format><item><value>ebook<\/value><count>2<\/count><\/item>/,
    )
  })
})
