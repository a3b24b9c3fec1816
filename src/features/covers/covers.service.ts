import { and, eq, sql } from 'drizzle-orm'
import { runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { loggableError } from '../../db/errors'
import { books } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { toHex } from '../../lib/digest'
import { IMAGE_TYPES, type SniffedImage } from '../../lib/image-type'
import { auditStatementWhen } from '../audit'

/** Largest cover accepted (issue 13): 5 MB. */
export const MAX_COVER_BYTES = 5 * 1024 * 1024

/** Immutable (RFC 8246): the key changes whenever the image does, so a cached copy is never stale. */
export const COVER_CACHE_CONTROL = 'public, max-age=31536000, immutable'

export type Cover = { key: string; contentType: SniffedImage['type']; width: number; height: number }

const bookNotFound = (id: string) =>
  new ApiError(404, { title: 'Book not found', detail: `No book has id ${id}` })

const changedMeanwhile = () =>
  new ApiError(409, {
    title: 'Cover changed meanwhile',
    detail: 'Another request changed this book’s cover at the same time; fetch the book and try again',
  })

/** The content-addressed key: `{bookId}/{first 16 hex of the SHA-256}.{ext}` (src/features/books/cover-url.ts). */
export async function coverKeyFor(
  bookId: string,
  bytes: Uint8Array<ArrayBuffer>,
  type: SniffedImage['type'],
) {
  const digest = toHex(await crypto.subtle.digest('SHA-256', bytes))
  return `${bookId}/${digest.slice(0, 16)}.${IMAGE_TYPES[type]}`
}

async function currentCover(db: Db, bookId: string) {
  const [row] = await db.select({ key: books.coverKey }).from(books).where(eq(books.id, bookId)).limit(1)
  return row
}

/** `cover_key IS ?`: null-safe equality, so "had no cover" is a condition like any other (compare-and-swap). */
const coverIs = (key: string | null) => sql`${books.coverKey} IS ${key}`

type CoverColumns = Pick<
  typeof books.$inferInsert,
  'coverKey' | 'coverContentType' | 'coverWidth' | 'coverHeight'
>

/**
 * The compare-and-swap that moves a book from the cover it had (`from`) to another (or none), with its audit entry
 * in the same batch, written only if the swap won. True when it did.
 */
async function swapCover(db: Db, actorId: string, bookId: string, from: string | null, to: CoverColumns) {
  const now = new Date()
  const swap = db
    .update(books)
    .set({ ...to, updatedAt: now })
    .where(and(eq(books.id, bookId), coverIs(from)))
    .returning({ id: books.id })
  const won = sql`exists (select 1 from ${books} where ${books.id} = ${bookId} and ${coverIs(to.coverKey ?? null)} and ${books.updatedAt} = ${now.getTime()})`
  const audit = auditStatementWhen(
    db,
    {
      actorId,
      action: to.coverKey ? 'book.cover.set' : 'book.cover.remove',
      targetType: 'book',
      targetId: bookId,
      before: { coverKey: from },
      after: { coverKey: to.coverKey ?? null },
    },
    now,
    won,
  )
  const [swapped] = await runBatch(db, [swap, audit])
  return (swapped as unknown[]).length > 0
}

/**
 * Deletes a cover object once no row points at it any more (after the commit). A failure leaves an orphan
 * object that nothing links to; it is logged, never thrown, since the book's own change has already committed.
 */
export async function deleteCoverObject(bucket: R2Bucket | undefined, key: string | null | undefined) {
  if (!bucket || !key) return
  try {
    await bucket.delete(key)
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'cover delete failed', key, ...loggableError(error) }),
    )
  }
}

/**
 * Stores a checked image as the book's cover: the object first (under its content-addressed key), then one
 * conditional UPDATE that moves the book from the cover it had to the new one; only when that committed is the
 * old object deleted. A lost race (another upload or a removal in between) deletes the new object unless the
 * winner stored the very same image, and answers 409; a deleted book answers 404.
 */
export async function storeCover(
  db: Db,
  bucket: R2Bucket,
  actor: string,
  bookId: string,
  bytes: Uint8Array<ArrayBuffer>,
  image: SniffedImage,
): Promise<Cover> {
  const before = await currentCover(db, bookId)
  if (!before) throw bookNotFound(bookId)
  const key = await coverKeyFor(bookId, bytes, image.type)
  const cover: Cover = { key, contentType: image.type, width: image.width, height: image.height }
  if (before.key === key) return cover
  await bucket.put(key, bytes, {
    httpMetadata: { contentType: image.type, cacheControl: COVER_CACHE_CONTROL },
  })
  const updated = await swapCover(db, actor, bookId, before.key, {
    coverKey: key,
    coverContentType: image.type,
    coverWidth: image.width,
    coverHeight: image.height,
  })
  if (!updated) {
    const now = await currentCover(db, bookId)
    if (now?.key === key) return cover
    await deleteCoverObject(bucket, key)
    throw now ? changedMeanwhile() : bookNotFound(bookId)
  }
  await deleteCoverObject(bucket, before.key)
  return cover
}

/** Removes the book's cover: the row first (conditionally), then the object. */
export async function removeCover(db: Db, bucket: R2Bucket, actor: string, bookId: string): Promise<void> {
  const before = await currentCover(db, bookId)
  if (!before) throw bookNotFound(bookId)
  if (!before.key) throw new ApiError(404, { title: 'No cover', detail: `Book ${bookId} has no cover` })
  const updated = await swapCover(db, actor, bookId, before.key, {
    coverKey: null,
    coverContentType: null,
    coverWidth: null,
    coverHeight: null,
  })
  if (!updated) throw changedMeanwhile()
  await deleteCoverObject(bucket, before.key)
}
