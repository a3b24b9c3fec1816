import { z } from '@hono/zod-openapi'
import { normalizeIsbn } from '../../lib/isbn'
import { canonicalLanguageTag, isCurrencyCode } from '../../lib/locale'

export const BookIdSchema = z
  .string()
  .regex(/^bk_[0-9a-z]{26}$/, 'Not a book id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'bk_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

const isbnInput = z
  .string()
  .max(32)
  .transform((value, ctx) => {
    const isbn = normalizeIsbn(value)
    if (!isbn) {
      ctx.addIssue({ code: 'custom', message: 'Not a valid ISBN-13 or ISBN-10 (check digit mismatch?)' })
      return z.NEVER
    }
    return isbn
  })
  .openapi({ description: 'ISBN-13, or ISBN-10 (converted); hyphens allowed', example: '978-0-14-143951-8' })

const languageInput = z
  .string()
  .max(35)
  .transform((value, ctx) => {
    const tag = canonicalLanguageTag(value)
    if (!tag) {
      ctx.addIssue({ code: 'custom', message: 'Not a BCP 47 language tag (e.g. "en", "pt-BR")' })
      return z.NEVER
    }
    return tag
  })
  .openapi({ description: 'BCP 47 language tag', example: 'en-GB' })

const currencyInput = z
  .string()
  .transform((value) => value.toUpperCase())
  .refine(isCurrencyCode, 'Not an ISO 4217 currency code (e.g. "EUR")')
  .openapi({ description: 'ISO 4217 code', example: 'EUR' })

const MAX_PRICE = 100_000_000 // 1,000,000.00 in a two-decimal currency

export const MoneySchema = z
  .object({
    amount: z.number().int().openapi({ description: 'Integer minor units (cents)', example: 1299 }),
    currency: z.string().openapi({ example: 'EUR' }),
  })
  .openapi('Money')

const priceInput = z.strictObject({
  amount: z.number().int('Use integer minor units, e.g. 1299 for 12.99').min(0).max(MAX_PRICE),
  currency: currencyInput,
})

const currentYear = () => new Date().getUTCFullYear()

const bookFields = {
  isbn: isbnInput,
  title: z.string().trim().min(1).max(300),
  authors: z.array(z.string().trim().min(1).max(200)).min(1).max(20),
  description: z.string().trim().max(10_000).default(''),
  language: languageInput,
  publishedYear: z
    .number()
    .int()
    .min(1450, 'Printed books start around 1450')
    .refine((year) => year <= currentYear() + 2, 'Too far in the future'),
  price: priceInput,
  stock: z.number().int().min(0).max(1_000_000),
}

export const BookCreateSchema = z.strictObject(bookFields).openapi('BookCreate')

export const BookUpdateSchema = z
  .strictObject({
    ...bookFields,
    description: z.string().trim().max(10_000),
    stockAdjustment: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .openapi({
        description:
          'Relative stock change (e.g. -2 after a stock count, +10 on delivery). Applied atomically, so it never ' +
          'races with checkouts; the book must not go below 0. Mutually exclusive with `stock`.',
      }),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change')
  .refine((body) => body.stock === undefined || body.stockAdjustment === undefined, {
    message: 'Send either stock or stockAdjustment, not both',
    path: ['stockAdjustment'],
  })
  .openapi('BookUpdate')

export const BookSchema = z
  .object({
    id: z.string().openapi({ example: 'bk_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
    isbn: z.string().openapi({ example: '9780141439518' }),
    title: z.string().openapi({ example: 'Pride and Prejudice' }),
    authors: z.array(z.string()).openapi({ example: ['Jane Austen'] }),
    description: z.string(),
    language: z.string().openapi({ example: 'en' }),
    publishedYear: z.number().int().openapi({ example: 1813 }),
    price: MoneySchema,
    stock: z.number().int().openapi({ example: 12 }),
    inStock: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Book')

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
export type BookCreate = z.output<typeof BookCreateSchema>
export type BookUpdate = z.output<typeof BookUpdateSchema>
export type Book = z.output<typeof BookSchema>

export const BookListSchema = z
  .object({
    data: z.array(BookSchema),
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
          'With `q` only: a corrected spelling, offered when `q` found fewer than 3 books on its first page and the ' +
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
