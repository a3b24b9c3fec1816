import { desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { booksFts } from '../../db/fts'
import { books, subjects } from '../../db/schema'

/**
 * Matches read from the word index per kind, in rowid order so FTS5 reads its doclists forwards and stops early
 * (no ranking pass; a descending scan would load whole doclists first).
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
 * Each word as a quoted FTS5 phrase limited to one column, so input is never parsed as query syntax. The last
 * word is still being typed and matches as a prefix; a one-letter word matches only itself (a one-letter prefix
 * would walk a large part of the index, "j r r tol" still works).
 */
function columnMatch(column: 'title' | 'authors', words: string[]): string {
  return words
    .map((word, index) => {
      const prefix = index === words.length - 1 && word.length > 1 ? '*' : ''
      return `${column} : "${word.replace(/"/g, '""')}"${prefix}`
    })
    .join(' AND ')
}

const fold = (text: string) => wordsOf(text).join(' ')

/** Best first: the text starts with the query, then a word of it starts with the first query word, then shorter. */
function byCloseness(query: string) {
  const first = query.split(' ')[0] ?? ''
  const score = (text: string) => {
    const folded = fold(text)
    if (folded.startsWith(query)) return 0
    if (folded.split(' ').some((word) => word.startsWith(first))) return 1
    return 2
  }
  return (a: string, b: string) => score(a) - score(b) || a.length - b.length || a.localeCompare(b)
}

/** The first books whose column matches, via the FTS5 index in rowid order with a LIMIT: bounded work. */
function matchingBooks(db: Db, column: 'title' | 'authors', words: string[]) {
  return db
    .select({ id: books.id, title: books.title, authors: books.authors })
    .from(booksFts)
    .innerJoin(books, eq(books.seq, booksFts.rowid))
    .where(sql`${booksFts} MATCH ${columnMatch(column, words)}`)
    .orderBy(booksFts.rowid)
    .limit(WINDOW)
}

/** Subjects whose name starts with the query, case-insensitively, by a range on `subjects_name_idx`. */
function matchingSubjects(db: Db, text: string, limit: number) {
  const start = text.trim()
  return db
    .select({ id: subjects.id, name: subjects.name, slug: subjects.slug })
    .from(subjects)
    .where(
      sql`${subjects.name} COLLATE NOCASE >= ${start} and ${subjects.name} COLLATE NOCASE < ${`${start}\u{10ffff}`}`,
    )
    .orderBy(sql`${subjects.name} COLLATE NOCASE`)
    .limit(limit)
}

/** The three lookups, unexecuted: test/suggest.test.ts runs EXPLAIN QUERY PLAN on each (no full scan). */
export function buildSuggestQueries(db: Db, query: SuggestQuery) {
  const words = wordsOf(query.q)
  return {
    titles: matchingBooks(db, 'title', words),
    authors: matchingBooks(db, 'authors', words),
    subjects: matchingSubjects(db, query.q, query.limit),
  }
}

/**
 * As-you-type suggestions: titles, authors and subjects for what has been typed so far. Three index lookups,
 * each reading at most a fixed window of rows, then ranked in memory: the work does not grow with the catalog.
 */
export async function suggest(db: Db, query: SuggestQuery) {
  const words = wordsOf(query.q)
  const typed = words.join(' ')
  const statements = buildSuggestQueries(db, query)
  const [titleRows, authorRows, subjectRows] = await Promise.all([
    statements.titles,
    statements.authors,
    statements.subjects,
  ])
  const closeness = byCloseness(typed)
  const titles = [...titleRows]
    .sort((a, b) => closeness(a.title, b.title))
    .slice(0, query.limit)
    .map((row) => ({ id: row.id, title: row.title, authors: row.authors }))
  // An author matches when every typed word starts a word of that one name (not spread over co-authors); names
  // seen on more of the window's books come first.
  const names = new Map<string, number>()
  for (const row of authorRows) {
    for (const name of row.authors) {
      const nameWords = fold(name).split(' ')
      const matches = words.every((word, index) =>
        nameWords.some((part) =>
          index === words.length - 1 && word.length > 1 ? part.startsWith(word) : part === word,
        ),
      )
      if (matches) names.set(name, (names.get(name) ?? 0) + 1)
    }
  }
  const authors = [...names.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || closeness(a, b))
    .slice(0, query.limit)
    .map(([name]) => ({ name }))
  return { query: typed, titles, authors, subjects: subjectRows }
}
