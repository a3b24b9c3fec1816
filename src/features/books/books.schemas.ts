import { z } from '@hono/zod-openapi'
import { BOOK_FORMATS } from '../../db/schema'
import { normalizeIsbn } from '../../lib/isbn'
import { canonicalLanguageTag, isCurrencyCode } from '../../lib/locale'
import { MAX_SUBJECTS_PER_BOOK, SubjectIdSchema, SubjectRefViewSchema } from '../subjects'

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

export const languageInput = z
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

/** An ISO 8601 calendar date that exists (2024-02-30 does not). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'An ISO 8601 date, YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
  }, 'Not a calendar date')
  .openapi({ format: 'date', example: '2024-09-12' })

const seriesInput = z.strictObject({
  name: z.string().trim().min(1).max(200).openapi({
    description: 'The series by name: created on first use, shared by every book that names it',
    example: 'The Lord of the Rings',
  }),
  position: z.number().min(0).max(10_000).optional().openapi({
    description: 'Position in the series; fractional for a novella between volumes (2.5)',
    example: 1,
  }),
})

const subjectIdsInput = z
  .array(SubjectIdSchema)
  .max(MAX_SUBJECTS_PER_BOOK, `At most ${MAX_SUBJECTS_PER_BOOK} subjects per book`)
  .refine((ids) => new Set(ids).size === ids.length, 'Each subject at most once')
  .openapi({ description: `The book's complete filing, at most ${MAX_SUBJECTS_PER_BOOK} subject ids` })

/** The edition fields (issue 13): optional everywhere, so existing clients keep working. */
const editionFields = {
  publisher: z.string().trim().min(1).max(200).openapi({ example: 'Penguin Classics' }),
  format: z.enum(BOOK_FORMATS).openapi({ description: "The edition's format" }),
  pageCount: z.number().int().min(1).max(100_000),
  releaseDate: isoDate,
  series: seriesInput,
  subjectIds: subjectIdsInput,
}

/** A book id in a body or query (BookIdSchema carries the path parameter's metadata). */
const bookIdValue = z.string().regex(/^bk_[0-9a-z]{26}$/, 'Not a book id')

export const BookCreateSchema = z
  .strictObject({
    ...bookFields,
    publisher: editionFields.publisher.optional(),
    format: editionFields.format.optional(),
    pageCount: editionFields.pageCount.optional(),
    releaseDate: editionFields.releaseDate.optional(),
    series: editionFields.series.optional(),
    subjectIds: editionFields.subjectIds.optional(),
    editionOf: bookIdValue.optional().openapi({
      description:
        'Another book (edition) of the same work: the new book joins that work, so the two list each other ' +
        'as editions. Absent: the book starts a work of its own.',
    }),
  })
  .openapi('BookCreate')

export const BookUpdateSchema = z
  .strictObject({
    ...bookFields,
    publisher: editionFields.publisher.nullable(),
    format: editionFields.format.nullable(),
    pageCount: editionFields.pageCount.nullable(),
    releaseDate: editionFields.releaseDate.nullable(),
    series: editionFields.series.nullable().openapi({ description: 'null: not part of a series' }),
    subjectIds: editionFields.subjectIds,
    editionOf: bookIdValue.nullable().openapi({
      description: 'Move this edition to the work of another book; null gives it a work of its own again',
    }),
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
    workId: z.string().openapi({
      description: 'The work this book is an edition of',
      example: 'wk_8m1z4b2c3d4e5f6g7h8j9k0m1n',
    }),
    publisher: z.string().nullable(),
    format: z.enum(BOOK_FORMATS).nullable(),
    pageCount: z.number().int().nullable(),
    releaseDate: z.string().nullable().openapi({ format: 'date' }),
    series: z
      .object({ id: z.string(), name: z.string(), position: z.number().nullable() })
      .nullable()
      .openapi('BookSeries'),
    subjects: z.array(SubjectRefViewSchema),
    coverUrl: z.string().nullable().openapi({ description: 'The cover image (immutable URL), or null' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Book')

export const EditionSchema = z
  .object({
    id: z.string(),
    isbn: z.string(),
    format: z.enum(BOOK_FORMATS).nullable(),
    price: MoneySchema,
    inStock: z.boolean(),
  })
  .openapi('Edition')

/** One book as `GET /v1/books/{id}` and the writes answer it: with the other editions of its work. */
export const BookDetailSchema = BookSchema.extend({
  editions: z.array(EditionSchema).openapi({
    description: 'The other editions of the same work ("also as e-book / hardcover"), by format',
  }),
}).openapi('BookDetail')

export type BookCreate = z.output<typeof BookCreateSchema>
export type BookUpdate = z.output<typeof BookUpdateSchema>
export type Book = z.output<typeof BookSchema>
