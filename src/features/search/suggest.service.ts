import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type Bind, Bindings, compiledOnce, literal } from '../../db/compiled'
import { booksTitleFts, searchAuthors, searchAuthorsFts } from '../../db/fts'
import { books, subjects } from '../../db/schema'

/**
 * Matches read per kind, in rowid order so FTS5 reads its doclists forwards and stops early (no ranking pass; a
 * descending scan would load whole doclists first).
 */
const WINDOW = 50
/** Words of a suggestion query; more are ignored (the box holds a few words, not a paragraph). */
const MAX_WORDS = 5

export type SuggestQuery = { q: string; limit: number }

/** Letters and digits as the word index tokenizes them, case and accents folded. */
function wordsOf(text: string): string[] {
  return (text.normalize('NFKC').match(/[\p{L}\p{N}\p{M}]+/gu) ?? [])
    .slice(0, MAX_WORDS)
    .map((word) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase())
}

/**
 * Each word as a quoted FTS5 phrase, so input is never parsed as query syntax. The last word is still being typed
 * and matches as a prefix; a one-letter word matches only itself (a one-letter prefix would walk a large part of
 * the index; "j r r tol" still works).
 */
function prefixMatch(words: string[]): string {
  return words
    .map((word, index) => {
      const prefix = index === words.length - 1 && word.length > 1 ? '*' : ''
      return `"${word.replace(/"/g, '""')}"${prefix}`
    })
    .join(' AND ')
}

const fold = (text: string) => wordsOf(text).join(' ')

/**
 * Best first (after `before`, when given): the text starts with the query, then a word of it starts with the first
 * query word, then shorter. Each text is folded once, not at every comparison of the sort (about 600 folds for 50
 * titles).
 */
function byCloseness<T>(
  items: T[],
  query: string,
  textOf: (item: T) => string,
  before?: (a: T, b: T) => number,
) {
  const first = query.split(' ')[0] ?? ''
  const scored = items.map((item) => {
    const text = textOf(item)
    const folded = fold(text)
    const score = folded.startsWith(query)
      ? 0
      : folded.split(' ').some((word) => word.startsWith(first))
        ? 1
        : 2
    return { item, text, score }
  })
  scored.sort(
    (a, b) =>
      (before?.(a.item, b.item) ?? 0) ||
      a.score - b.score ||
      a.text.length - b.text.length ||
      a.text.localeCompare(b.text),
  )
  return scored.map(({ item }) => item)
}

/**
 * The first books whose title matches, from the title-only word index in rowid order with a LIMIT: bounded work,
 * and a prefix costs only the titles it matches (not descriptions or authors).
 */
function matchingTitles(db: Db, words: string[], bind: Bind) {
  const hits = db
    .select({ seq: booksTitleFts.rowid })
    .from(booksTitleFts)
    .where(sql`${booksTitleFts} MATCH ${bind('match', prefixMatch(words))}`)
    .orderBy(booksTitleFts.rowid)
    .limit(WINDOW)
    .as('hits')
  return db
    .select({ id: books.id, title: books.title, authors: books.authors })
    .from(hits)
    .innerJoin(books, eq(books.seq, hits.seq))
}

/** The first author names that match, from the word index over distinct names (search_authors). */
function matchingAuthors(db: Db, words: string[], bind: Bind) {
  const hits = db
    .select({ id: searchAuthorsFts.rowid })
    .from(searchAuthorsFts)
    .where(sql`${searchAuthorsFts} MATCH ${bind('match', prefixMatch(words))}`)
    .orderBy(searchAuthorsFts.rowid)
    .limit(WINDOW)
    .as('hits')
  return db
    .select({ name: searchAuthors.name, books: searchAuthors.books })
    .from(hits)
    .innerJoin(searchAuthors, eq(searchAuthors.id, hits.id))
}

/** Subjects whose name starts with the query, case-insensitively, by a range on `subjects_name_idx`. */
function matchingSubjects(db: Db, text: string, limit: number, bind: Bind) {
  const start = text.trim()
  return db
    .select({ id: subjects.id, name: subjects.name, slug: subjects.slug })
    .from(subjects)
    .where(
      sql`${subjects.name} COLLATE NOCASE >= ${bind('from', start)} and ${subjects.name} COLLATE NOCASE < ${bind('to', `${start}\u{10ffff}`)}`,
    )
    .orderBy(sql`${subjects.name} COLLATE NOCASE`)
    .limit(bind('limit', limit))
}

/**
 * The three lookups, unexecuted: test/suggest.test.ts runs EXPLAIN QUERY PLAN on each (no full scan); `suggest`
 * runs them compiled once per isolate (src/db/compiled.ts: one shape).
 */
export function buildSuggestQueries(db: Db, query: SuggestQuery, bindings?: Bindings) {
  const words = wordsOf(query.q)
  const bind = bindings?.bind ?? literal
  const reuse = <T extends object>(name: string, statement: T) =>
    bindings ? compiledOnce(statement, bindings, `suggest.${name}`) : statement
  return {
    titles: reuse('titles', matchingTitles(db, words, bind)),
    authors: reuse('authors', matchingAuthors(db, words, bind)),
    subjects: reuse('subjects', matchingSubjects(db, query.q, query.limit, bind)),
  }
}

/**
 * As-you-type suggestions: titles, authors and subjects for what has been typed so far. Three index lookups in one
 * batch,
 * each reading at most a fixed window of rows, then ranked in memory: the work does not grow with the catalog.
 */
export async function suggest(db: Db, query: SuggestQuery) {
  const words = wordsOf(query.q)
  const typed = words.join(' ')
  const statements = buildSuggestQueries(db, query, new Bindings(''))
  // One batch: one round trip for the three lookups.
  const [titleRows, authorRows, subjectRows] = await db.batch([
    statements.titles,
    statements.authors,
    statements.subjects,
  ])
  const titles = byCloseness(titleRows, typed, (row) => row.title)
    .slice(0, query.limit)
    .map((row) => ({ id: row.id, title: row.title, authors: row.authors }))
  // Authors with more books first, then the closest.
  const authors = byCloseness(
    authorRows,
    typed,
    (row) => row.name,
    (a, b) => b.books - a.books,
  )
    .slice(0, query.limit)
    .map((row) => ({ name: row.name }))
  return { query: typed, titles, authors, subjects: subjectRows }
}
