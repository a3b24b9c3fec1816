import { encodeCursor } from '../../src/http/pagination'

/**
 * Every documented list, filter, search and sort of `GET /v1/books` (see the OpenAPI description of its query),
 * with and without a cursor. Each must reach books through an index: a plain `SCAN books` reads the whole table,
 * which is what makes a deep page or a filter slow on 100,000 books.
 */
const cursor = (s: string, o: 'asc' | 'desc', k: string | number) => encodeCursor({ s, o, k, i: 500 })

export const documentedQueries: Record<string, Record<string, string>> = {
  'page 1 (newest first)': {},
  'deep page (newest first)': { cursor: cursor('createdAt', 'desc', Date.UTC(2025, 0, 1)) },
  'sort=title': { sort: 'title' },
  'sort=title, deep page': { sort: 'title', cursor: cursor('title', 'asc', 'The Quiet') },
  'sort=title&order=desc': { sort: 'title', order: 'desc' },
  'sort=price': { sort: 'price' },
  'sort=price, deep page': { sort: 'price', cursor: cursor('price', 'asc', 1999) },
  'sort=price&order=desc': { sort: 'price', order: 'desc' },
  'sort=publishedYear': { sort: 'publishedYear' },
  'sort=publishedYear&order=desc, deep page': {
    sort: 'publishedYear',
    order: 'desc',
    cursor: cursor('publishedYear', 'desc', 1990),
  },
  'sort=createdAt&order=asc': { sort: 'createdAt', order: 'asc' },
  'search q': { q: 'silent river' },
  'search q, deep page': { q: 'silent', cursor: cursor('relevance', 'asc', -1.5) },
  'search q&sort=price': { q: 'garden', sort: 'price' },
  'author filter': { author: 'Tekup' },
  'author + q': { author: 'Okafor', q: 'winter' },
  'language filter': { language: 'fr' },
  'language filter, deep page': { language: 'fr', cursor: cursor('createdAt', 'desc', Date.UTC(2025, 0, 1)) },
  'language + sort=title': { language: 'de', sort: 'title' },
  'price range': { minPrice: '1000', maxPrice: '2000' },
  'price range&sort=price': { minPrice: '1000', maxPrice: '2000', sort: 'price' },
  'minPrice only': { minPrice: '3000' },
  'inStock=true': { inStock: 'true' },
  'inStock=false': { inStock: 'false' },
  'inStock=true&sort=price': { inStock: 'true', sort: 'price' },
  'all filters + search': {
    q: 'lantern',
    language: 'en',
    minPrice: '500',
    maxPrice: '5000',
    inStock: 'true',
  },
  'subject filter (with descendants)': { subject: 'fiction' },
  'subject + sort=price': { subject: 'fiction', sort: 'price' },
  'subject + search q': { subject: 'fiction', q: 'river' },
  'format filter': { format: 'ebook' },
  'publisher filter': { publisher: 'Penguin' },
  'series filter': { series: `sr_${'0'.repeat(26)}` },
  'format + language': { format: 'paperback', language: 'en' },
}
