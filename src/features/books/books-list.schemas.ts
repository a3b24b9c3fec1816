// `GET /v1/books`: its query (search, filters, facets, sort, page) and its answer.
import { z } from '@hono/zod-openapi'
import { BOOK_FORMATS } from '../../db/schema'
import { SubjectRefSchema } from '../subjects'
import { BookSchema, languageInput } from './books.schemas'
import { FACETS, FacetsSchema } from './facets.schemas'

export const SORT_FIELDS = ['relevance', 'title', 'price', 'publishedYear', 'createdAt'] as const

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true')

export const ListBooksQuerySchema = z
  .object({
    q: z.string().max(256).optional().openapi({
      description: 'Keywords over title, authors and description; prefix match',
      example: 'austen pri',
    }),
    author: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'Words of an author name', example: 'Austen' }),
    language: languageInput.optional(),
    minPrice: z.coerce.number().int().min(0).optional().openapi({ description: 'Minor units, inclusive' }),
    maxPrice: z.coerce.number().int().min(0).optional().openapi({ description: 'Minor units, inclusive' }),
    inStock: booleanQuery.optional().openapi({ description: 'true: stock > 0; false: sold out' }),
    subject: SubjectRefSchema.optional().openapi({
      description: 'A subject id or slug: books filed under it or any of its descendants',
      example: 'fantasy',
    }),
    format: z.enum(BOOK_FORMATS).optional(),
    publisher: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'Exact, case-insensitive' }),
    series: z
      .string()
      .regex(/^[a-z]{2,4}_[0-9a-z]{26}$/, 'Not a series id')
      .optional()
      .openapi({ description: "A series id (from a book's `series.id`)" }),
    facets: z
      .string()
      .max(64)
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined
        const names = [...new Set(value.split(',').map((name) => name.trim()))]
        const unknown = names.filter((name) => !(FACETS as readonly string[]).includes(name))
        if (unknown.length) {
          ctx.addIssue({
            code: 'custom',
            message: `Unknown facet ${unknown.join(', ')}; use ${FACETS.join(', ')}`,
          })
          return z.NEVER
        }
        return names as (typeof FACETS)[number][]
      })
      .openapi({
        type: 'string',
        description:
          `Comma-separated, any of ${FACETS.join(', ')}: adds \`facets\` to the answer, counts per value over ` +
          'every book matching the query and filters (see the README, "Facets")',
        example: 'subject,language,format,price',
      }),
    sort: z.enum(SORT_FIELDS).optional().openapi({
      description: 'Default: relevance when q is given, otherwise createdAt',
    }),
    order: z.enum(['asc', 'desc']).optional().openapi({
      description: 'Default: desc for createdAt, asc otherwise',
    }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .openapi({ description: '1 to 100', example: 20 }),
    cursor: z.string().max(512).optional().openapi({ description: 'nextCursor from the previous page' }),
  })
  .refine(
    (query) =>
      query.minPrice === undefined || query.maxPrice === undefined || query.minPrice <= query.maxPrice,
    {
      message: 'minPrice must not exceed maxPrice',
      path: ['minPrice'],
    },
  )
  .refine((query) => query.sort !== 'relevance' || query.q !== undefined, {
    message: 'sort=relevance needs a q to rank by',
    path: ['sort'],
  })

export type ListBooksQuery = z.output<typeof ListBooksQuerySchema>

export const BookListSchema = z
  .object({
    data: z.array(BookSchema),
    facets: FacetsSchema.optional(),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as cursor for the next page; null at the end' }),
    didYouMean: z
      .string()
      .nullable()
      .optional()
      .openapi({
        description:
          'With `q` only: a corrected spelling, offered when `q` found fewer than 3 books (a first page with no next ' +
          'page) and the ' +
          'correction finds more (`tolkein` → `tolkien`); null otherwise.',
        example: 'harry potter',
      }),
    corrected: z
      .boolean()
      .optional()
      .openapi({
        description:
          'With `q` only: true when `q` found nothing and `data` holds the books found for `didYouMean` instead ' +
          '(the `Link` to the next page searches for `didYouMean`).',
      }),
  })
  .openapi('BookList')
