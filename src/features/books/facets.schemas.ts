import { z } from '@hono/zod-openapi'

export const FACETS = ['subject', 'language', 'format', 'price'] as const
export type FacetName = (typeof FACETS)[number]

/**
 * Price bands in major units of the catalog's currency (the catalog is priced in one currency, README
 * "Commerce"; two decimals, so a major unit is 100 minor units): under 10, 10 to under 20, 20 to under 50,
 * 50 and over. `min` is inclusive, `max` exclusive, both in minor units, so a band maps straight onto
 * `minPrice` / `maxPrice` (`maxPrice` = `max - 1`).
 */
export const PRICE_BANDS = [
  { value: 'under-10', min: 0, max: 1000 },
  { value: '10-20', min: 1000, max: 2000 },
  { value: '20-50', min: 2000, max: 5000 },
  { value: '50-and-over', min: 5000, max: null },
] as const

const count = z
  .number()
  .int()
  .openapi({ description: 'Books matching the query, its filters and this value' })

export const FacetsSchema = z
  .object({
    subject: z
      .array(z.object({ value: z.string(), name: z.string(), slug: z.string(), count }))
      .optional()
      .openapi({
        description:
          'The children of the `subject` filter (or the top-level subjects without one), each counting the ' +
          'books filed under it or its descendants: drill down by passing one as `subject`',
      }),
    language: z.array(z.object({ value: z.string(), count })).optional(),
    format: z
      .array(z.object({ value: z.string().openapi({ description: 'A format, or "unknown"' }), count }))
      .optional(),
    price: z
      .array(
        z.object({
          value: z.string().openapi({ example: '10-20' }),
          min: z.number().int().openapi({ description: 'Minor units, inclusive' }),
          max: z.number().int().nullable().openapi({ description: 'Minor units, exclusive; null: no bound' }),
          count,
        }),
      )
      .optional()
      .openapi({ description: 'Every band, in order, empty ones with count 0' }),
  })
  .openapi('BookFacets')

export type Facets = z.output<typeof FacetsSchema>
