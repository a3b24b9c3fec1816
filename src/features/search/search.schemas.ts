import { z } from '@hono/zod-openapi'

export const SuggestQuerySchema = z.object({
  q: z
    .string()
    .min(2)
    .max(64)
    .refine((text) => /[\p{L}\p{N}]/u.test(text), 'Type at least one letter or digit')
    .openapi({ description: 'What has been typed so far (2 to 64 characters)', example: 'tol' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(5)
    .openapi({ description: 'Suggestions per kind, 1 to 10', example: 5 }),
})

export const SuggestionsSchema = z
  .object({
    query: z.string().openapi({ description: 'The words matched, case and accents folded', example: 'tol' }),
    titles: z.array(
      z.object({
        id: z.string().openapi({ example: 'bk_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
        title: z.string().openapi({ example: 'The Fellowship of the Ring' }),
        authors: z.array(z.string()).openapi({ example: ['J. R. R. Tolkien'] }),
      }),
    ),
    authors: z.array(z.object({ name: z.string().openapi({ example: 'J. R. R. Tolkien' }) })),
    subjects: z.array(
      z.object({
        id: z.string().openapi({ example: 'sb_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
        name: z.string().openapi({ example: 'Fantasy' }),
        slug: z.string().openapi({ example: 'fantasy' }),
      }),
    ),
  })
  .openapi('Suggestions')

export const SearchMissesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(512).optional().openapi({ description: 'nextCursor from the previous page' }),
})

export const SearchMissListSchema = z
  .object({
    data: z.array(
      z.object({
        query: z.string().openapi({ description: 'The normalised search', example: 'silmarilion' }),
        count: z.number().int().openapi({ description: 'Searches that found nothing', example: 12 }),
        firstSeenAt: z.string().openapi({ format: 'date-time' }),
        lastSeenAt: z.string().openapi({ format: 'date-time' }),
      }),
    ),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as cursor for the next page; null at the end' }),
  })
  .openapi('SearchMissList')
