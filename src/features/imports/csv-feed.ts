import Papa from 'papaparse'
import type { FeedRecord } from './import-record'

/** What a file may hold; larger catalogues are split into several imports. */
export const MAX_FEED_ROWS = 50_000

/** The columns a CSV import reads (header names, case-insensitive); any other column is ignored. */
export const CSV_COLUMNS = [
  'isbn',
  'title',
  'authors',
  'description',
  'language',
  'published_year',
  'release_date',
  'price',
  'currency',
  'stock',
  'publisher',
  'format',
  'page_count',
  'subjects',
] as const
const REQUIRED_COLUMNS = ['isbn', 'title', 'authors', 'language', 'price', 'currency'] as const

/** A problem with the file as a whole: the job fails with this message, safe to show the admin. */
export class FeedError extends Error {
  override name = 'FeedError'
}

const list = (cell: string | undefined) =>
  cell === undefined
    ? undefined
    : cell
        .split(';')
        .map((part) => part.trim())
        .filter((part) => part !== '')
const cell = (row: Record<string, string>, name: string) => {
  const value = row[name]
  return value === undefined || value.trim() === '' ? undefined : value
}

/**
 * A CSV catalogue (RFC 4180, parsed by Papa Parse): a header row naming the columns in CSV_COLUMNS, one book per
 * record; `authors` and `subjects` (BISAC or Thema codes) hold several values separated by `;`. An empty cell says
 * nothing (an existing book keeps that field). A malformed record (unbalanced quotes, a wrong number of fields) is
 * that row's reject; a file without the required columns fails as a whole.
 */
export function parseCsvFeed(text: string): FeedRecord[] {
  const result = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    delimiter: ',',
    skipEmptyLines: 'greedy',
    transformHeader: (header) => header.trim().toLowerCase(),
  })
  const headers = result.meta.fields ?? []
  if (headers.length > 100) throw new FeedError('The header row has more than 100 columns')
  const missing = REQUIRED_COLUMNS.filter((column) => !headers.includes(column))
  if (missing.length > 0)
    throw new FeedError(
      `The header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    )
  if (!headers.includes('published_year') && !headers.includes('release_date'))
    throw new FeedError('The header row needs published_year or release_date')
  if (result.data.length > MAX_FEED_ROWS)
    throw new FeedError(`More than ${MAX_FEED_ROWS} rows; split the file`)
  const problems = new Map<number, string>()
  for (const error of result.errors) {
    if (error.row === undefined || problems.has(error.row)) continue
    problems.set(error.row, `Malformed CSV record: ${error.message}`)
  }
  return result.data.map((row, index) => {
    const problem = problems.get(index)
    return {
      rowNumber: index + 1,
      isbn: cell(row, 'isbn'),
      title: cell(row, 'title'),
      authors: list(cell(row, 'authors')),
      description: cell(row, 'description'),
      language: cell(row, 'language'),
      publishedYear: cell(row, 'published_year'),
      releaseDate: cell(row, 'release_date'),
      price: cell(row, 'price'),
      currency: cell(row, 'currency'),
      stock: cell(row, 'stock'),
      publisher: cell(row, 'publisher'),
      format: cell(row, 'format'),
      pageCount: cell(row, 'page_count'),
      subjectCodes: list(cell(row, 'subjects')),
      ...(problem ? { problem } : {}),
    }
  })
}
