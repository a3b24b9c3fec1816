import { createRoute, z } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { publicRoute } from '../../http/policy'
import { pick } from '../../http/schemas'
import { admin } from '../auth'
import { BookCreateSchema, BookDetailSchema, BookIdSchema, BookUpdateSchema } from './books.schemas'
import { BookListSchema, ListBooksQuerySchema } from './books-list.schemas'

const tags = ['Books']
const idParams = z.object({ id: BookIdSchema })

export const listBooks = createRoute({
  operationId: 'listBooks',
  method: 'get',
  path: '/books',
  ...publicRoute({ cache: { query: ListBooksQuerySchema } }),
  tags,
  summary: 'List, filter and search books',
  description:
    'Cursor-paginated. `q` searches title, authors and description (ranked, prefix-matching). ' +
    'The `Link` header carries the next page URL. `subject` includes its descendants; `facets` adds counts ' +
    'per subject, language, format and price band over every matching book (not just this page).',
  request: { query: ListBooksQuerySchema },
  responses: {
    200: {
      ...jsonContent(BookListSchema, 'A page of books'),
      headers: z.object({
        Link: z.string().optional().openapi({ description: 'rel="next" page, RFC 8288' }),
      }),
    },
    ...pick(400, 429, 500),
  },
})

export const getBook = createRoute({
  operationId: 'getBook',
  method: 'get',
  path: '/books/{id}',
  ...publicRoute({ cache: true }),
  tags,
  summary: 'Get one book',
  description: 'Sends an `ETag`; `If-None-Match` with it answers 304 Not Modified.',
  request: { params: idParams },
  responses: {
    200: jsonContent(BookDetailSchema, 'The book, with the other editions of its work'),
    304: { description: 'Not modified since the ETag in If-None-Match' },
    ...pick(400, 404, 429, 500),
  },
})

export const createBook = createRoute({
  operationId: 'createBook',
  method: 'post',
  path: '/books',
  tags,
  summary: 'Add a book (admin)',
  // Catalog writes check the live session and take the role from the database: a demoted or deleted admin,
  // or a revoked session, loses access at once (OWASP API5).
  ...admin(),
  request: { body: jsonBody(BookCreateSchema) },
  responses: {
    201: {
      ...jsonContent(BookDetailSchema, 'Created'),
      headers: z.object({ Location: z.string().openapi({ description: 'URL of the new book' }) }),
    },
    ...pick(400, 401, 403, 409, 413, 415, 422, 429, 500),
  },
})

export const updateBook = createRoute({
  operationId: 'updateBook',
  method: 'patch',
  path: '/books/{id}',
  tags,
  summary: 'Change a book (admin)',
  description: 'Send only the fields to change. Use `stockAdjustment` for relative stock changes.',
  ...admin(),
  request: { params: idParams, body: jsonBody(BookUpdateSchema) },
  responses: {
    200: jsonContent(BookDetailSchema, 'The updated book'),
    ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429, 500),
  },
})

export const deleteBook = createRoute({
  operationId: 'deleteBook',
  method: 'delete',
  path: '/books/{id}',
  tags,
  summary: 'Remove a book (admin)',
  ...admin(),
  request: { params: idParams },
  responses: {
    204: { description: 'Deleted' },
    ...pick(400, 401, 403, 404, 429, 500),
  },
})
