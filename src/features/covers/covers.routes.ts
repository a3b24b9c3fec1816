import { createRoute, z } from '@hono/zod-openapi'
import { jsonContent } from '../../http/openapi'
import { publicRoute } from '../../http/policy'
import { errors, pick } from '../../http/schemas'
import { admin } from '../auth'
import { MAX_COVER_BYTES } from './covers.service'

const tags = ['Covers']

// Its own copy of the book id's shape: the books feature imports this one (to delete a book's cover) and this one
// imports books (for coverUrl, used only at request time); a books schema used here while the modules load could
// meet that cycle half-initialised.
const BookIdParam = z
  .string()
  .regex(/^bk_[0-9a-z]{26}$/, 'Not a book id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'bk_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

const binary = z.string().openapi({ type: 'string', format: 'binary' })
const imageContent = {
  'image/jpeg': { schema: binary },
  'image/png': { schema: binary },
  'image/webp': { schema: binary },
}

export const CoverSchema = z
  .object({
    url: z.string().openapi({
      description: 'Public, immutable URL; a new upload gets a new one',
      example: 'https://api.folio.example/v1/covers/bk_8m1z4b2c3d4e5f6g7h8j9k0m1n/3f2a9c0d1e2b4a5c.jpg',
    }),
    contentType: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    width: z.number().int().openapi({ example: 600 }),
    height: z.number().int().openapi({ example: 900 }),
  })
  .openapi('Cover')

const noBucket = {
  ...errors[500],
  description:
    'The database is unavailable (retry after Retry-After seconds), or this deployment has no R2 bucket for ' +
    'covers (the Node/libSQL runtime): covers need Cloudflare R2',
}

export const putCover = createRoute({
  operationId: 'putBookCover',
  method: 'put',
  path: '/books/{id}/cover',
  tags,
  summary: 'Upload or replace a book cover (admin)',
  description:
    `The raw image as the body: JPEG, PNG or WebP, at most ${MAX_COVER_BYTES} bytes, 16 to 10,000 px a side. ` +
    'The type is judged by the file’s magic bytes and decoded header, and the declared Content-Type must match ' +
    'it. Stored in R2 under a content-addressed key, so the URL changes with the image and is cached as ' +
    'immutable; the previous image is deleted once the book points at the new one. Uploading the same image ' +
    'again changes nothing.',
  ...admin(),
  request: { params: z.object({ id: BookIdParam }), body: { required: true, content: imageContent } },
  responses: {
    200: jsonContent(CoverSchema, 'The book’s cover now'),
    ...pick(400, 401, 403, 404, 409, 429, 500),
    413: { ...errors[413], description: `Larger than ${MAX_COVER_BYTES} bytes` },
    415: { ...errors[415], description: 'Content-Type is not image/jpeg, image/png or image/webp' },
    422: {
      ...errors[422],
      description:
        'Not a readable JPEG, PNG or WebP, dimensions out of range, or the content is not the declared type',
    },
    503: noBucket,
  },
})

export const deleteCover = createRoute({
  operationId: 'deleteBookCover',
  method: 'delete',
  path: '/books/{id}/cover',
  tags,
  summary: 'Remove a book’s cover (admin)',
  ...admin(),
  request: { params: z.object({ id: BookIdParam }) },
  responses: {
    204: { description: 'Removed; the image is deleted from R2' },
    ...pick(400, 401, 403, 404, 409, 429, 500),
    503: noBucket,
  },
})

export const getCover = createRoute({
  operationId: 'getCover',
  method: 'get',
  path: '/covers/{bookId}/{file}',
  tags,
  summary: 'A cover image',
  description:
    'The URL a book’s `coverUrl` names. `Cache-Control: public, max-age=31536000, immutable` (RFC 8246): the ' +
    'file name is the image’s content hash, so it never changes. Sends a strong `ETag`; `If-None-Match` answers ' +
    '304.',
  ...publicRoute(),
  request: {
    params: z.object({
      bookId: z
        .string()
        .regex(/^bk_[0-9a-z]{26}$/, 'Not a book id')
        .openapi({ param: { name: 'bookId', in: 'path' } }),
      file: z
        .string()
        .regex(/^[0-9a-f]{16}\.(jpg|png|webp)$/, 'Not a cover file name')
        .openapi({ param: { name: 'file', in: 'path' }, example: '3f2a9c0d1e2b4a5c.jpg' }),
    }),
  },
  responses: {
    200: {
      description: 'The image',
      content: imageContent,
      headers: z.object({
        ETag: z.string(),
        'Cache-Control': z.string().openapi({ example: 'public, max-age=31536000, immutable' }),
      }),
    },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    ...pick(400, 404, 429, 500),
    503: noBucket,
  },
})
