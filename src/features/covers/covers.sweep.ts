import { inArray } from 'drizzle-orm'
import { createDb } from '../../db/client'
import { books } from '../../db/schema'
import type { Bindings } from '../../env'
import { chunks } from '../../lib/chunks'

/** Objects younger than this are never swept: an upload in flight has stored its object but not yet its row. */
const GRACE_MS = 60 * 60 * 1000
/** Listing pages (1,000 keys each) per cron run; the position is kept in the bucket between runs. */
const PAGES_PER_RUN = 5
const CURSOR_KEY = '_sweep/cursor'
const COVER_KEY = /^(bk_[0-9a-z]{26})\/[0-9a-f]{16}\.(jpg|png|webp)$/

/**
 * Cron: deletes cover objects no book points at (a replaced or removed cover, or a deleted book, whose delete after
 * the commit failed; an upload that lost its race and could not clean up). The after-commit delete is best effort,
 * this makes it eventually certain. Walks the bucket a few pages per run from where the last run stopped, and reads
 * the books by id (the key's first segment), so each run costs a handful of R2 and D1 operations.
 */
export async function sweepOrphanCovers(env: Bindings, now: Date): Promise<number> {
  const bucket = env.COVERS
  if (!bucket) return 0
  const { db } = createDb(env)
  let cursor = (await (await bucket.get(CURSOR_KEY))?.text()) || undefined
  let deleted = 0
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const listing = await bucket.list({ limit: 1000, ...(cursor ? { cursor } : {}) })
    const candidates = listing.objects.filter(
      (object) => COVER_KEY.test(object.key) && now.getTime() - object.uploaded.getTime() > GRACE_MS,
    )
    const bookIds = [...new Set(candidates.map((object) => COVER_KEY.exec(object.key)![1]!))]
    const current = new Set<string>()
    for (const part of chunks(bookIds, 90)) {
      const rows = await db.select({ key: books.coverKey }).from(books).where(inArray(books.id, part))
      for (const row of rows) if (row.key) current.add(row.key)
    }
    const orphans = candidates.map((object) => object.key).filter((key) => !current.has(key))
    if (orphans.length > 0) {
      await bucket.delete(orphans)
      deleted += orphans.length
    }
    cursor = listing.truncated ? listing.cursor : undefined
    if (!cursor) break
  }
  if (cursor) await bucket.put(CURSOR_KEY, cursor)
  else await bucket.delete(CURSOR_KEY)
  return deleted
}
