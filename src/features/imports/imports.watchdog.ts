import { and, eq, inArray, lt } from 'drizzle-orm'
import { createDb } from '../../db/client'
import { importJobs } from '../../db/schema'
import type { Bindings } from '../../env'
import { CHUNK_ROWS } from './imports.service'

/** A job whose counters have not moved for this long has lost its queue message (a crash, a failed send). */
export const STALLED_AFTER_MS = 10 * 60 * 1000
/** …and after this long without progress it is given up on, with a reason, instead of being re-kicked for ever. */
export const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000

/**
 * Cron: re-enqueues the next step of every import that stopped moving (a message lost between a commit and the
 * next send, a consumer killed mid-step). Safe to repeat: each step is guarded by the job's `processed_rows`
 * compare-and-swap, so a duplicate message applies nothing. The touch of `updated_at` is itself conditional, so
 * two cron runs re-kick a job once.
 */
export async function resumeStalledImports(env: Bindings, now: Date): Promise<number> {
  const queue = env.IMPORT_QUEUE
  if (!queue || !env.IMPORT_FILES) return 0
  const { db } = createDb(env)
  await db
    .update(importJobs)
    .set({
      status: 'failed',
      error: 'The import stopped making progress for 24 hours',
      updatedAt: now,
      finishedAt: now,
    })
    .where(
      and(
        inArray(importJobs.status, ['queued', 'running']),
        lt(importJobs.updatedAt, new Date(now.getTime() - ABANDONED_AFTER_MS)),
      ),
    )
  const stalled = await db
    .select({ id: importJobs.id, processedRows: importJobs.processedRows, updatedAt: importJobs.updatedAt })
    .from(importJobs)
    .where(
      and(
        inArray(importJobs.status, ['queued', 'running']),
        lt(importJobs.updatedAt, new Date(now.getTime() - STALLED_AFTER_MS)),
      ),
    )
    .limit(20)
  let resumed = 0
  for (const job of stalled) {
    const touched = await db
      .update(importJobs)
      .set({ updatedAt: now })
      .where(and(eq(importJobs.id, job.id), eq(importJobs.updatedAt, job.updatedAt)))
      .returning({ id: importJobs.id })
    if (touched.length === 0) continue
    // Nothing applied yet: stage again (chunk 0 restages only then); else the chunk after the last one applied.
    const chunk = job.processedRows === 0 ? 0 : Math.floor(job.processedRows / CHUNK_ROWS) + 1
    await queue.send({ jobId: job.id, chunk })
    resumed++
  }
  if (resumed > 0) console.log(JSON.stringify({ level: 'warn', msg: 'stalled imports resumed', resumed }))
  return resumed
}
