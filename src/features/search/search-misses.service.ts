import { desc, lt, notInArray, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { insertWhen } from '../../db/batch'
import type { Db } from '../../db/client'
import { searchMisses } from '../../db/schema'
import { keysetPage } from '../../http/pagination'

/**
 * The table never holds more than this many distinct misses: once full, a new query is not recorded (those
 * already there still count). Random queries cannot fill the database, and the cron prunes it back to
 * `KEPT_AFTER_PRUNE` so genuine new misses find room again (OWASP API4, unrestricted resource consumption).
 */
export const MAX_SEARCH_MISSES = 10_000
/** What the cron keeps: the most frequent misses, then the most recent; one-off random queries go first. */
export const KEPT_AFTER_PRUNE = 5_000
/** A normalised query is cut to this length before it is stored. */
const MAX_QUERY_LENGTH = 100

/**
 * Counts a search that found nothing (after the typo fallback), by its normalised text only: no user, IP or
 * session is stored (GDPR art. 5(1)(c), data minimisation). One upsert; the guard keeps the table bounded.
 */
export async function recordSearchMiss(
  db: Db,
  normalisedQuery: string,
  { now = new Date(), cap = MAX_SEARCH_MISSES }: { now?: Date; cap?: number } = {},
): Promise<void> {
  const query = normalisedQuery.slice(0, MAX_QUERY_LENGTH)
  if (!query) return
  const room = sql`(select count(*) from ${searchMisses}) < ${cap} or exists (select 1 from ${searchMisses} where ${searchMisses.query} = ${query})`
  await insertWhen(db, searchMisses, { query, count: 1, firstSeenAt: now, lastSeenAt: now }, room)
    .onConflictDoUpdate({
      target: searchMisses.query,
      set: { count: sql`${searchMisses.count} + 1`, lastSeenAt: now },
    })
    .run()
}

/** Misses nobody has repeated for this long are dropped (storage limitation, GDPR art. 5(1)(e)). */
const RETENTION_MS = 90 * 24 * 3_600_000

/**
 * The cron's pruning: drops misses not seen for 90 days, then all but the `KEPT_AFTER_PRUNE` most frequent (then
 * most recent). One batch; returns how many rows went.
 */
export async function pruneSearchMisses(
  db: Db,
  { now = new Date(), keep = KEPT_AFTER_PRUNE }: { now?: Date; keep?: number } = {},
): Promise<number> {
  const kept = db
    .select({ query: searchMisses.query })
    .from(searchMisses)
    .orderBy(desc(searchMisses.count), desc(searchMisses.lastSeenAt))
    .limit(keep)
  const [stale, surplus] = await db.batch([
    db
      .delete(searchMisses)
      .where(lt(searchMisses.lastSeenAt, new Date(now.getTime() - RETENTION_MS)))
      .returning({ query: searchMisses.query }),
    db
      .delete(searchMisses)
      .where(notInArray(searchMisses.query, kept))
      .returning({ query: searchMisses.query }),
  ])
  return stale.length + surplus.length
}

const rowid = sql<number>`${searchMisses}.rowid`

const missCursor = z.object({ c: z.number().int(), r: z.number().int() })

/**
 * Misses, most frequent first (ties: the newest entry first), keyset-paginated on `search_misses_count_idx`,
 * whose entries carry the rowid: the order needs no sort and a deep page seeks like the first.
 */
export async function listSearchMisses(db: Db, request: { limit: number; cursor?: string }) {
  const { rows, nextCursor } = await keysetPage(
    {
      schema: missCursor,
      keyOf: (row: { count: number; rowid: number }) => ({ c: row.count, r: row.rowid }),
    },
    request,
    (after, take) => {
      const seek: SQL | undefined = after
        ? sql`(${searchMisses.count}, ${rowid}) < (${after.c}, ${after.r})`
        : undefined
      return db
        .select({
          rowid,
          query: searchMisses.query,
          count: searchMisses.count,
          firstSeenAt: searchMisses.firstSeenAt,
          lastSeenAt: searchMisses.lastSeenAt,
        })
        .from(searchMisses)
        .where(seek)
        .orderBy(desc(searchMisses.count), desc(rowid))
        .limit(take)
    },
  )
  return {
    data: rows.map((row) => ({
      query: row.query,
      count: row.count,
      firstSeenAt: row.firstSeenAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
    })),
    nextCursor,
  }
}
