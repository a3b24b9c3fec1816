import { runAfterResponse } from '../../http/background'
import { setNextLink } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import { deleteCoverObject } from '../covers'
import { recordSearchMiss } from '../search'
import * as routes from './books.routes'
import * as service from './books.service'
import { searchBooks } from './books-search'
import { normalisedSearch } from './search-query'

const PUBLIC_CACHE = 'public, max-age=30, stale-while-revalidate=60'

const viewOptions = (c: { var: { config: { PUBLIC_API_URL: string } } }) => ({
  publicApiUrl: c.var.config.PUBLIC_API_URL,
})

export const listBooks: AppRouteHandler<typeof routes.listBooks> = async (c) => {
  const query = c.req.valid('query')
  const { page, nextQuery, missed } = await searchBooks(c.var.db, query, viewOptions(c))
  setNextLink(c, page.nextCursor, routes.listBooks.request.query, nextQuery ? { q: nextQuery } : {})
  // Counted off the response path. Only a request that reaches this handler counts: an answer served from the
  // edge cache (src/middleware/cache.ts) does not, so a miss is counted once per catalog version and edge.
  if (missed && query.q !== undefined) {
    runAfterResponse(c, 'search miss', recordSearchMiss(c.var.db, normalisedSearch(query.q)))
  }
  c.header('Cache-Control', PUBLIC_CACHE)
  return c.json(page, 200)
}

export const getBook: AppRouteHandler<typeof routes.getBook> = async (c) => {
  const book = await service.getBook(c.var.db, c.req.valid('param').id, viewOptions(c))
  c.header('Cache-Control', PUBLIC_CACHE)
  return c.json(book, 200)
}

export const createBook: AppRouteHandler<typeof routes.createBook> = async (c) => {
  const book = await service.createBook(c.var.db, c.req.valid('json'), viewOptions(c), c.var.user.id)
  c.header('Location', `/v1/books/${book.id}`)
  return c.json(book, 201)
}

export const updateBook: AppRouteHandler<typeof routes.updateBook> = async (c) => {
  const book = await service.updateBook(
    c.var.db,
    c.req.valid('param').id,
    c.req.valid('json'),
    viewOptions(c),
    c.var.user.id,
  )
  return c.json(book, 200)
}

export const deleteBook: AppRouteHandler<typeof routes.deleteBook> = async (c) => {
  const { coverKey } = await service.deleteBook(c.var.db, c.req.valid('param').id, c.var.user.id)
  // After the commit nothing links to the cover any more: its R2 object goes too (src/features/covers).
  await deleteCoverObject(c.env.COVERS, coverKey)
  return c.body(null, 204)
}
