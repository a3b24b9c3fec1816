import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { searchTerms } from '../src/db/fts'
import {
  buildCandidateQuery,
  buildKnownWordsQuery,
  correctSpelling,
  editDistance,
} from '../src/features/books/search-typos'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

type Page = {
  data: { id: string; title: string; authors: string[] }[]
  nextCursor: string | null
  didYouMean?: string | null
  corrected?: boolean
}

const list = async (query: string) => {
  const response = await api('GET', `/v1/books?${query}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return { page: await json<Page>(response), link: response.headers.get('Link') }
}

const ids: Record<string, string> = {}

beforeAll(async () => {
  const catalog = [
    { key: 'hobbit', title: 'The Hobbit', authors: ['J. R. R. Tolkien'] },
    { key: 'fellowship', title: 'The Fellowship of the Ring', authors: ['J. R. R. Tolkien'] },
    { key: 'stone', title: "Harry Potter and the Philosopher's Stone", authors: ['J. K. Rowling'] },
    { key: 'chamber', title: 'Harry Potter and the Chamber of Secrets', authors: ['J. K. Rowling'] },
    { key: 'emile', title: 'Émile, ou De l’éducation', authors: ['Jean-Jacques Rousseau'] },
    { key: 'pottery', title: 'Pottery for Beginners', authors: ['Ann Clay'] },
  ]
  for (const book of catalog) {
    ids[book.key] = (await createBook({ title: book.title, authors: book.authors, description: 'Plain.' })).id
  }
})

describe('typo-tolerant search (GET /v1/books?q=)', () => {
  it('finds Tolkien when "tolkein" is typed, and says what it searched for', async () => {
    const { page } = await list('q=tolkein')
    expect(page.corrected).toBe(true)
    expect(page.didYouMean).toBe('tolkien')
    expect(page.data.map((book) => book.id).sort()).toEqual([ids.hobbit, ids.fellowship].sort())
  })

  it('corrects one word of several: "harry poter" finds Harry Potter', async () => {
    const { page } = await list('q=harry%20poter')
    expect(page.didYouMean).toBe('harry potter')
    expect(page.corrected).toBe(true)
    expect(page.data.map((book) => book.id).sort()).toEqual([ids.stone, ids.chamber].sort())
  })

  it('leaves a search that finds enough alone: no correction, didYouMean null', async () => {
    const { page } = await list('q=harry')
    expect(page.data).toHaveLength(2)
    expect(page.didYouMean).toBeNull()
    expect(page.corrected).toBe(false)
  })

  it('offers a correction beside the few books the exact search found, without replacing them', async () => {
    // "pottr" is only in one description (the vocabulary holds title and author words): one book found,
    // "potter" finds two, so the answer keeps the one and offers the spelling.
    const few = await createBook({
      title: 'Printers Errors',
      authors: ['Ann Clay'],
      description: 'Misprint: pottr.',
    })
    const { page } = await list('q=pottr')
    expect(page.data.map((book) => book.id)).toEqual([few.id])
    expect(page.corrected).toBe(false)
    expect(page.didYouMean).toBe('potter')
  })

  it('folds accents: "emile" needs no correction, and "emil rousseau" is spelt out', async () => {
    expect((await list('q=emile')).page.data.map((book) => book.id)).toEqual([ids.emile])
    const { page } = await list('q=rouseau')
    expect(page.didYouMean).toBe('rousseau')
    expect(page.data.map((book) => book.id)).toEqual([ids.emile])
  })

  it('says nothing when nothing is close: an unknown word stays a miss', async () => {
    const { page } = await list(`q=${uniqueWord('qx')}`)
    expect(page.data).toEqual([])
    expect(page.didYouMean).toBeNull()
    expect(page.corrected).toBe(false)
  })

  it('carries the corrected query into the next page link, and later pages do not correct again', async () => {
    const { page, link } = await list('q=tolkein&limit=1')
    expect(page.corrected).toBe(true)
    expect(link).toContain('q=tolkien')
    const next = link!.match(/<([^>]+)>/)![1]!
    const second = await json<Page>(await api('GET', next))
    expect(second.data).toHaveLength(1)
    expect(second.data[0]!.id).not.toBe(page.data[0]!.id)
    const misspeltNext = next.replace('q=tolkien', 'q=tolkein')
    const stale = await json<Page>(await api('GET', misspeltNext))
    expect(stale.data).toEqual([])
    expect(stale.corrected).toBe(false)
  })

  it('keeps the vocabulary in step with the catalog: renamed and deleted books leave it', async () => {
    const word = uniqueWord('vq')
    const terms = async (term: string) =>
      harness.db().select().from(searchTerms).where(sql`${searchTerms.term} = ${term}`)
    const clayBooks = (await terms('clay'))[0]!.books
    const book = await createBook({ title: `Chronicles of ${word}`, authors: ['Ann Clay'] })
    expect(await terms(word)).toEqual([expect.objectContaining({ term: word, books: 1 })])
    expect((await terms('clay'))[0]?.books).toBe(clayBooks + 1)
    const token = await adminToken()
    const renamed = await api('PATCH', `/v1/books/${book.id}`, { token, body: { title: 'Chronicles' } })
    expect(renamed.status).toBe(200)
    expect(await terms(word)).toEqual([])
    expect((await terms('chronicles'))[0]?.books).toBe(1)
    expect((await api('DELETE', `/v1/books/${book.id}`, { token })).status).toBe(204)
    expect(await terms('chronicles')).toEqual([])
    expect((await terms('clay'))[0]?.books).toBe(clayBooks)
  })
})

describe('the correction itself', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('tolkein', 'tolkien', 2)).toBe(1)
    expect(editDistance('poter', 'potter', 1)).toBe(1)
    expect(editDistance('abc', 'abcdefg', 2)).toBe(3)
  })

  it('leaves short and known words, and corrects at most a few words', async () => {
    const db = harness.db()
    expect(await correctSpelling(db, 'the hobbit')).toBeNull()
    expect(await correctSpelling(db, 'hobit')).toBe('hobbit')
    // A swap that shares no trigram with the word ("rig", "ign" against "rin", "ing") is still found.
    expect(await correctSpelling(db, 'the rign')).toBe('the ring')
  })

  it('reads candidates through the trigram index, never by scanning the vocabulary or the books', async () => {
    const db = harness.db()
    const rows = await db.all<{ detail: string }>(
      sql`EXPLAIN QUERY PLAN ${buildCandidateQuery(db, 'tolkein').getSQL()}`,
    )
    const plan = rows.map((row) => row.detail)
    expect(plan.join('\n')).toMatch(/VIRTUAL TABLE INDEX \d+:M/)
    expect(
      plan.filter((detail) => /^SCAN (search_terms|books)\b(?!_trigram)(?!.*USING)/.test(detail)),
    ).toEqual([])
  })

  it('checks known words by a range probe of the vocabulary index', async () => {
    const db = harness.db()
    const rows = await db.all<{ detail: string }>(
      sql`EXPLAIN QUERY PLAN ${buildKnownWordsQuery(['harry', 'poter'])}`,
    )
    const plan = rows.map((row) => row.detail).join('\n')
    expect(plan).toMatch(
      /SEARCH search_terms USING COVERING INDEX search_terms_term_idx \(term>\? AND term<\?\)/,
    )
    expect(plan).not.toMatch(/SCAN search_terms/)
  })
})
