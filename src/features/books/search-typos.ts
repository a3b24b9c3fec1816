import { desc, eq, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { searchTerms, searchTermsTrigram } from '../../db/fts'
import { foldWord, searchTerms as wordsOf } from './search-query'

/** Shorter words are left as typed: "the", "cat" have too many one-letter neighbours to guess from. */
const MIN_CORRECTED_LENGTH = 4
/** The vocabulary keeps words of 3 to 40 characters (drizzle/0010_search_trigram.sql). */
const MAX_WORD_LENGTH = 40
/** At most this many words of one query are looked up: bounded work per request whatever is typed. */
const MAX_CORRECTED_WORDS = 4
/** Candidates read per misspelt word, best trigram overlap first; edit distance then picks among them. */
const CANDIDATES_PER_WORD = 40

/** Edits allowed for a word of this length: one for short words, up to three for long ones. */
function allowedEdits(length: number): number {
  if (length <= 5) return 1
  if (length <= 8) return 2
  return 3
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, so "ei"/"ie" costs one edit);
 * words whose lengths alone differ by more than `limit` are not compared. O(length²) on words of at most 40.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let beforePrevious: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, beforePrevious[j - 2]! + 1)
      }
      current.push(value)
    }
    beforePrevious = previous
    previous = current
  }
  return previous[b.length]!
}

/** Words up to this length also look up the trigrams of their one-transposition variants. */
const MAX_TRANSPOSED_LENGTH = 12

/**
 * The distinct trigrams of a word, each quoted as one FTS5 phrase (the word holds only letters and digits). A
 * swap in the middle of a short word breaks all of its trigrams ("vevlet" shares none with "velvet"), so short
 * words add the trigrams of each variant with two neighbours swapped back: at most 11 variants of 10 trigrams.
 */
function trigramQuery(word: string): string {
  const grams = new Set<string>()
  const add = (text: string) => {
    for (let i = 0; i + 3 <= text.length; i++) grams.add(text.slice(i, i + 3))
  }
  add(word)
  if (word.length <= MAX_TRANSPOSED_LENGTH) {
    for (let i = 0; i + 1 < word.length; i++) {
      add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2))
    }
  }
  return [...grams].map((gram) => `"${gram.replace(/"/g, '""')}"`).join(' OR ')
}

/**
 * Which words some title or author word starts with (the search is prefix-matching, so those need no
 * correction): one statement, one indexed range probe of `search_terms_term_idx` per word.
 */
export function buildKnownWordsQuery(words: string[]): SQL {
  const probes: SQL[] = words.map(
    (word, index) =>
      sql`exists (select 1 from ${searchTerms} where ${searchTerms.term} >= ${word} and ${searchTerms.term} < ${`${word}\u{10ffff}`}) as ${sql.identifier(`k${index}`)}`,
  )
  return sql`select ${sql.join(probes, sql`, `)}`
}

async function knownWords(db: Db, words: string[]): Promise<boolean[]> {
  const [row] = await db.all<Record<string, number>>(buildKnownWordsQuery(words))
  return words.map((_, index) => Boolean(row?.[`k${index}`]))
}

/**
 * The trigram lookup for one word, unexecuted: the FTS5 trigram index ranks vocabulary words by shared trigrams
 * and cuts the candidates; only those rows of search_terms are read (test/search-typos.test.ts checks the plan).
 */
export function buildCandidateQuery(db: Db, word: string) {
  const ranked = db
    .select({ id: searchTermsTrigram.rowid, rank: searchTermsTrigram.rank })
    .from(searchTermsTrigram)
    .where(sql`${searchTermsTrigram} MATCH ${trigramQuery(word)}`)
    .orderBy(searchTermsTrigram.rank)
    .limit(CANDIDATES_PER_WORD)
    .as('ranked')
  return db
    .select({ term: searchTerms.term, books: searchTerms.books })
    .from(ranked)
    .innerJoin(searchTerms, eq(searchTerms.id, ranked.id))
    .orderBy(ranked.rank, desc(searchTerms.books))
}

/**
 * The best vocabulary word for a misspelt one: fewest edits (against the whole word, or against its start, since
 * the user may still be typing), then the most books; undefined when nothing is close enough.
 */
async function closestWord(db: Db, word: string): Promise<string | undefined> {
  const limit = allowedEdits(word.length)
  const candidates = await buildCandidateQuery(db, word)
  let best: { term: string; edits: number; books: number } | undefined
  for (const candidate of candidates) {
    const term = foldWord(candidate.term)
    const whole = editDistance(word, term, limit)
    const start = term.length > word.length ? editDistance(word, term.slice(0, word.length), limit) : whole
    const edits = Math.min(whole, start + 0.5)
    if (edits > limit) continue
    if (!best || edits < best.edits || (edits === best.edits && candidate.books > best.books)) {
      best = { term, edits, books: candidate.books }
    }
  }
  return best?.term
}

/**
 * A corrected spelling of a search, or null when every word is known or nothing close is: "tolkein" →
 * "tolkien", "harry poter" → "harry potter". Words are compared with the vocabulary of titles and author names.
 */
export async function correctSpelling(db: Db, text: string): Promise<string | null> {
  const words = wordsOf(text).map(foldWord)
  const checked = words.filter(
    (word) => word.length >= MIN_CORRECTED_LENGTH && word.length <= MAX_WORD_LENGTH,
  )
  if (checked.length === 0) return null
  const known = await knownWords(db, checked)
  const unknown = checked.filter((_, index) => !known[index]).slice(0, MAX_CORRECTED_WORDS)
  if (unknown.length === 0) return null
  const corrections = new Map<string, string>()
  for (const word of unknown) {
    const closest = await closestWord(db, word)
    if (closest && closest !== word) corrections.set(word, closest)
  }
  if (corrections.size === 0) return null
  return words.map((word) => corrections.get(word) ?? word).join(' ')
}
