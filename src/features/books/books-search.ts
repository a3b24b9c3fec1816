import type { Db } from '../../db/client'
import { listBooks } from './books.service'
import type { ViewOptions } from './books.views'
import type { ListBooksQuery } from './books-list.schemas'
import { correctSpelling } from './search-typos'

/** Fewer books than this found by a keyword search (its first page, with no next one): a corrected spelling is tried. */
export const FEW_RESULTS = 3

type Page = Awaited<ReturnType<typeof listBooks>>

export type SearchAnswer = {
  page: Page & { didYouMean?: string | null; corrected?: boolean }
  /** The `q` the next page must use: the corrected one when the answer shows its results. */
  nextQuery?: string
  /** The search found nothing, even spelt otherwise: to be counted among the misses. */
  missed: boolean
}

/**
 * `GET /v1/books`: the list, and for a keyword search that finds little on its first page, the typo fallback.
 * - nothing found, and a corrected spelling finds books: those books, `corrected: true`, `didYouMean` the
 *   spelling searched (the `Link` to the next page carries it);
 * - a few found, and the corrected spelling finds more: the books found, with `didYouMean` to offer it;
 * - otherwise `didYouMean: null`. A search answered without any book is a miss.
 * Later pages (`cursor`) never correct: they continue the search their first page chose.
 */
export async function searchBooks(db: Db, query: ListBooksQuery, view: ViewOptions): Promise<SearchAnswer> {
  const page = await listBooks(db, query, view)
  if (query.q === undefined) return { page, missed: false }
  const plain = { page: { ...page, didYouMean: null, corrected: false }, missed: false }
  // A page with a next page found more than it shows (a small `limit`): that is not a search that found little.
  if (query.cursor !== undefined || page.data.length >= FEW_RESULTS || page.nextCursor) return plain
  const spelling = await correctSpelling(db, query.q)
  if (spelling) {
    // Facets are counted only when the corrected books become the answer.
    const facets = page.data.length === 0 ? query.facets : undefined
    const alternative = await listBooks(db, { ...query, q: spelling, facets }, view)
    if (page.data.length === 0 && alternative.data.length > 0) {
      return {
        page: { ...alternative, didYouMean: spelling, corrected: true },
        nextQuery: spelling,
        missed: false,
      }
    }
    if (alternative.data.length > page.data.length) {
      return { page: { ...page, didYouMean: spelling, corrected: false }, missed: false }
    }
  }
  return { ...plain, missed: page.data.length === 0 }
}
