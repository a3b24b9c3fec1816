import { ApiError } from '../../http/problem'

const MAX_TERMS = 16

/**
 * Splits user text into words (letters, digits and combining marks, as FTS5's unicode61 tokenizer sees them).
 * Everything else, quotes, `*`, `^`, `:`, parentheses and words such as NEAR/AND/OR outside quotes, is dropped
 * or quoted, so user input can never be parsed as FTS5 query syntax (the FTS equivalent of SQL injection).
 */
export function searchTerms(text: string): string[] {
  return (text.normalize('NFKC').match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).slice(0, MAX_TERMS)
}

/**
 * A search as counted among the misses: its words, case and accents folded, in order, one space apart. Two
 * spellings of the same search ("Harry  POTTER!" and "harry potter") are one entry.
 */
export function normalisedSearch(text: string): string {
  return searchTerms(text).map(foldWord).join(' ')
}

/** Case and accents folded the way the word index (unicode61 remove_diacritics) and the trigram index fold them. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** Each word quoted and prefix-matched: `tekup` finds "Tekup", `pri` finds "Pride". */
const prefixPhrase = (term: string) => `"${term}"*`

/**
 * The FTS5 MATCH expression for a keyword search and/or an author filter, or null when neither is given.
 * All words must match (implicit AND); the author words must match within the authors column.
 */
export function buildMatchExpression(input: { q?: string; author?: string }): string | null {
  const clauses: string[] = []
  if (input.q !== undefined) {
    const terms = searchTerms(input.q)
    if (terms.length === 0) {
      throw new ApiError(400, {
        title: 'Invalid search',
        detail: 'q must contain at least one letter or digit',
        errors: [{ pointer: '/query/q', detail: 'No searchable words' }],
      })
    }
    clauses.push(terms.map(prefixPhrase).join(' AND '))
  }
  if (input.author !== undefined) {
    const terms = searchTerms(input.author)
    if (terms.length === 0) {
      throw new ApiError(400, {
        title: 'Invalid author filter',
        detail: 'author must contain at least one letter or digit',
        errors: [{ pointer: '/query/author', detail: 'No searchable words' }],
      })
    }
    clauses.push(terms.map((term) => `authors : ${prefixPhrase(term)}`).join(' AND '))
  }
  return clauses.length ? clauses.join(' AND ') : null
}
