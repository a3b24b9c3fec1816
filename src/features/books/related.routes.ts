import { createRoute, z } from '@hono/zod-openapi'
import { jsonContent } from '../../http/openapi'
import { publicRoute } from '../../http/policy'
import { pick } from '../../http/schemas'
import { BookIdSchema, BookSchema } from './books.schemas'

export const RelatedQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(20).default(8).openapi({ description: '1 to 20', example: 8 }),
})

export const RelatedBooksSchema = z
  .object({
    source: z.enum(['bought_together', 'similar']).openapi({
      description:
        '`bought_together`: customers who bought this book also bought these (paid orders, each pair bought by ' +
        'at least the configured number of distinct customers, 3 by default). `similar`: not enough purchase ' +
        'data yet, so books sharing its subjects and authors.',
    }),
    data: z.array(BookSchema),
  })
  .openapi('RelatedBooks')

export const relatedBooks = createRoute({
  operationId: 'listRelatedBooks',
  method: 'get',
  path: '/books/{id}/related',
  ...publicRoute({ cache: { query: RelatedQuerySchema } }),
  tags: ['Books'],
  summary: 'Customers who bought this also bought',
  description:
    'Never the book itself, another edition of its work, or a book out of stock. The pairs are recomputed by the ' +
    'cron at most hourly; answers are cached at the edge.',
  request: { params: z.object({ id: BookIdSchema }), query: RelatedQuerySchema },
  responses: {
    200: jsonContent(RelatedBooksSchema, 'Related books, best first'),
    ...pick(400, 404, 429, 500),
  },
})
