import type { Context } from 'hono'
import { ApiError } from '../../http/problem'
import { mediaType, readCappedBody } from '../../http/raw-body'
import type { AppRouteHandler } from '../../http/router'
import { IMAGE_TYPES, type ImageType, sniffImage } from '../../lib/image-type'
import { coverUrl } from '../books'
import type * as routes from './covers.routes'
import { COVER_CACHE_CONTROL, type Cover, MAX_COVER_BYTES, removeCover, storeCover } from './covers.service'

/**
 * The covers bucket, or a 503 where this runtime has none (the Node/libSQL project: covers need R2). Said plainly,
 * since retrying will not help; documented on each cover route.
 */
function coversBucket(c: Context): R2Bucket {
  const bucket = (c.env as { COVERS?: R2Bucket }).COVERS
  if (!bucket)
    throw new ApiError(503, {
      title: 'Covers unavailable',
      detail: 'This deployment has no R2 bucket for covers (COVERS); covers need Cloudflare R2',
    })
  return bucket
}

const view = (publicApiUrl: string, cover: Cover) => ({
  url: coverUrl(publicApiUrl, cover.key)!,
  contentType: cover.contentType,
  width: cover.width,
  height: cover.height,
})

export const putCover: AppRouteHandler<typeof routes.putCover> = async (c) => {
  const bucket = coversBucket(c)
  // The declared type must be one we accept and must match what the bytes are (checked below): a file whose name
  // or header says PNG but whose content is something else is refused, not relabelled (OWASP File Upload).
  const declared = mediaType(c)
  if (!(declared in IMAGE_TYPES))
    throw new ApiError(415, {
      title: 'Unsupported media type',
      detail: 'Send the image with Content-Type image/jpeg, image/png or image/webp',
      headers: { 'Accept-Put': 'image/jpeg, image/png, image/webp' },
    })
  const bytes = await readCappedBody(c, MAX_COVER_BYTES)
  const image = sniffImage(bytes)
  if ('refused' in image)
    throw new ApiError(422, {
      title: 'Not an acceptable cover image',
      detail: image.refused,
      errors: [{ pointer: '/body', detail: image.refused }],
    })
  if (image.type !== (declared as ImageType))
    throw new ApiError(422, {
      title: 'Content-Type does not match the image',
      detail: `Declared ${declared}, but the content is ${image.type}`,
      errors: [{ pointer: '/body', detail: `The content is ${image.type}` }],
    })
  const cover = await storeCover(c.var.db, bucket, c.var.user.id, c.req.valid('param').id, bytes, image)
  c.header('Cache-Control', 'no-store')
  return c.json(view(c.var.config.PUBLIC_API_URL, cover), 200)
}

export const deleteCover: AppRouteHandler<typeof routes.deleteCover> = async (c) => {
  await removeCover(c.var.db, coversBucket(c), c.var.user.id, c.req.valid('param').id)
  return c.body(null, 204)
}

export const getCover: AppRouteHandler<typeof routes.getCover> = async (c) => {
  const bucket = coversBucket(c)
  const { bookId, file } = c.req.valid('param')
  // A conditional read on If-None-Match alone (RFC 9110 §13.1.2): when it matches, R2 returns the object's metadata
  // without its body, and the answer is 304. Other preconditions are not passed on (If-Match failing is no 304).
  const ifNoneMatch = c.req.header('If-None-Match')
  const onlyIf = new Headers(ifNoneMatch ? { 'If-None-Match': ifNoneMatch } : {})
  const object = await bucket.get(`${bookId}/${file}`, { onlyIf })
  if (!object) throw new ApiError(404, { title: 'Not found', detail: 'No cover lives at this URL' })
  const headers = new Headers({
    ETag: object.httpEtag,
    'Cache-Control': COVER_CACHE_CONTROL,
    // The stored type, which the upload sniffed; browsers must not guess another (a polyglot file).
    'Content-Type': object.httpMetadata?.contentType ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  })
  if (!('body' in object) || !object.body) return c.body(null, { status: 304, headers }) as never
  headers.set('Content-Length', String(object.size))
  return c.body(object.body, { status: 200, headers }) as never
}
