import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { buildSuggestQueries } from '../src/features/search/suggest.service'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

type Suggestions = {
  query: string
  titles: { id: string; title: string; authors: string[] }[]
  authors: { name: string }[]
  subjects: { id: string; name: string; slug: string }[]
}

const suggest = async (query: string) => {
  const response = await api('GET', `/v1/search/suggest?${query}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return json<Suggestions>(response)
}

// A made-up stem shared by this file's titles, authors and subjects, so other files' rows never match.
const stem = uniqueWord('tq').slice(0, 8)

async function subject(name: string): Promise<string> {
  const response = await api('POST', '/v1/subjects', { token: await adminToken(), body: { name } })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await json(response)).id
}

const ids: Record<string, string> = {}

beforeAll(async () => {
  ids.ring = (await createBook({ title: `The ${stem}ring Saga`, authors: [`Anna ${stem}son`] })).id
  ids.first = (await createBook({ title: `${stem}ian Nights`, authors: ['Ben Other'] })).id
  ids.coauthored = (
    await createBook({ title: 'Unrelated Title', authors: ['Cleo Third', `Dan ${stem}er`] })
  ).id
  ids.subject = await subject(`${stem}ic Poetry`)
})

describe('GET /v1/search/suggest', () => {
  it('suggests titles, authors and subjects for what has been typed so far', async () => {
    const answer = await suggest(`q=${stem}`)
    expect(answer.query).toBe(stem)
    // A title that starts with the typed text comes first.
    expect(answer.titles.map((title) => title.id)).toEqual([ids.first, ids.ring])
    expect(answer.authors.map((author) => author.name).sort()).toEqual(
      [`Anna ${stem}son`, `Dan ${stem}er`].sort(),
    )
    expect(answer.subjects).toEqual([expect.objectContaining({ id: ids.subject, name: `${stem}ic Poetry` })])
  })

  it('matches the last word as a prefix and the earlier ones whole, case and accents folded', async () => {
    const answer = await suggest(`q=THE%20${stem.toUpperCase()}`)
    expect(answer.titles.map((title) => title.id)).toEqual([ids.ring])
    expect((await suggest(`q=anna%20${stem}`)).authors).toEqual([{ name: `Anna ${stem}son` }])
    // Only the author whose own name matches, not the co-author.
    expect((await suggest(`q=dan%20${stem}`)).authors).toEqual([{ name: `Dan ${stem}er` }])
  })

  it('keeps author names in step with the catalog: a name leaves with its last book', async () => {
    const name = `Eve ${stem}ova`
    const book = await createBook({ title: 'Solo Work', authors: [name] })
    expect((await suggest(`q=eve%20${stem}`)).authors).toEqual([{ name }])
    const token = await adminToken()
    expect(
      (await api('PATCH', `/v1/books/${book.id}`, { token, body: { authors: ['Someone Else'] } })).status,
    ).toBe(200)
    expect((await suggest(`q=eve%20${stem}`)).authors).toEqual([])
    expect((await api('DELETE', `/v1/books/${book.id}`, { token })).status).toBe(204)
    expect((await suggest('q=someone%20else')).authors).toEqual([])
  })

  it('caps each kind at limit', async () => {
    const answer = await suggest(`q=${stem}&limit=1`)
    expect(answer.titles).toHaveLength(1)
    expect(answer.authors).toHaveLength(1)
  })

  it('treats query syntax as text', async () => {
    const answer = await suggest(`q=${encodeURIComponent(`"${stem}" OR title:* NEAR(`)}`)
    expect(answer.titles).toEqual([])
  })

  it('refuses what cannot be a suggestion query: too short, too long, no letters, a bad limit', async () => {
    for (const query of ['q=t', `q=${'a'.repeat(65)}`, 'q=%20%2A%2A', '', `q=${stem}&limit=11`]) {
      const response = await api('GET', `/v1/search/suggest?${query}`)
      expect(response.status, query).toBe(400)
      expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    }
  })

  it('is a public, cacheable answer whose cache key ignores parameters it does not read', async () => {
    const response = await api('GET', `/v1/search/suggest?q=${stem}&utm_source=x`)
    expect(response.headers.get('Cache-Control')).toMatch(/public/)
  })

  it('reads titles and authors through the word index and subjects through the name index, never a scan', async () => {
    const db = harness.db()
    const statements = buildSuggestQueries(db, { q: 'the tol', limit: 5 })
    const plans: Record<string, string> = {}
    for (const [kind, statement] of Object.entries(statements)) {
      const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${statement.getSQL()}`)
      plans[kind] = rows.map((row) => row.detail).join('\n')
    }
    expect(plans.titles).toMatch(/VIRTUAL TABLE INDEX/)
    expect(plans.authors).toMatch(/VIRTUAL TABLE INDEX/)
    expect(plans.subjects).toContain('subjects_name_idx')
    for (const plan of Object.values(plans)) {
      expect(plan).not.toMatch(/SCAN (books|subjects)\b(?!_fts)(?!.*USING)/)
      expect(plan).not.toContain('TEMP B-TREE')
    }
  })
})
