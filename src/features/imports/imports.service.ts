import { and, asc, eq, gt, ne } from 'drizzle-orm'
import { runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { importJobs, importRejects } from '../../db/schema'
import type { ImportQueueMessage } from '../../env'
import { ApiError } from '../../http/problem'
import { toHex } from '../../lib/digest'
import { randomId } from '../../lib/ids'
import { auditStatement } from '../audit'
import { FeedError, parseCsvFeed } from './csv-feed'
import { type ImportBook, type ImportReject, validateFeed } from './import-record'
import { applyChunk } from './import-upsert'
import { parseOnixFeed, refuseDocumentTypes } from './onix-feed'

/** Largest catalogue file accepted: 10 MB (about 60,000 CSV rows or 3,000 ONIX products). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024
/**
 * Rows per chunk: one queue message applies one chunk in one D1 batch of at most three statements a row (work,
 * book, subject links) plus a few reads, so a message stays under D1's 1,000 queries per Worker invocation (Workers
 * Paid) and far inside the CPU limit. See README "Bulk import" for the measured rate.
 */
export const CHUNK_ROWS = 200
/** Validated rows are staged in R2 in segments of this many rows; a chunk reads only its own segment. */
export const SEGMENT_ROWS = 1000

export type ImportFormat = 'csv' | 'onix'
type Item = ImportBook | ImportReject
/** Where a job's file and its staged segments live (R2), and how its next chunk is scheduled (the Queue). */
export type ImportRuntime = { files: R2Bucket; queue: Queue<ImportQueueMessage> }

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export function decodeFeed(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes)
  } catch {
    throw new ApiError(422, {
      title: 'Not UTF-8',
      detail: 'The file is not valid UTF-8; export it as UTF-8',
      errors: [{ pointer: '/body', detail: 'Not UTF-8' }],
    })
  }
}

const segmentKey = (jobId: string, segment: number) => `staging/${jobId}/${segment}.json`

/** Parses and validates a whole file into row-ordered items (a book to upsert, or a reject). */
function prepareItems(format: ImportFormat, text: string): Item[] {
  const records = format === 'csv' ? parseCsvFeed(text) : parseOnixFeed(text)
  const { books, rejects } = validateFeed(records)
  return [...books, ...rejects].sort((a, b) => a.rowNumber - b.rowNumber)
}

async function failJob(db: Db, jobId: string, error: string) {
  await db
    .update(importJobs)
    .set({ status: 'failed', error, updatedAt: new Date(), finishedAt: new Date() })
    .where(and(eq(importJobs.id, jobId), ne(importJobs.status, 'completed')))
}

/**
 * Creates the job row for an uploaded file. With a runtime (workerd: R2 + Queue) the file is stored first under
 * `imports/{id}.{csv|xml}` and the first message enqueued after the row exists; without (the Node project) the
 * caller runs the job inline with `runInline`.
 */
export async function createImportJob(
  db: Db,
  runtime: ImportRuntime | undefined,
  input: { format: ImportFormat; bytes: Uint8Array<ArrayBuffer>; createdBy: string },
) {
  const text = decodeFeed(input.bytes)
  if (input.format === 'onix') {
    try {
      refuseDocumentTypes(text)
    } catch (error) {
      if (!(error instanceof FeedError)) throw error
      throw new ApiError(422, {
        title: 'Refused XML',
        detail: error.message,
        errors: [{ pointer: '/body', detail: error.message }],
      })
    }
  }
  const id = randomId('imp')
  const objectKey = `imports/${id}.${input.format === 'csv' ? 'csv' : 'xml'}`
  const now = new Date()
  const fileSha256 = toHex(await crypto.subtle.digest('SHA-256', input.bytes))
  if (runtime) await runtime.files.put(objectKey, input.bytes, { sha256: fileSha256 })
  const insert = db
    .insert(importJobs)
    .values({
      id,
      format: input.format,
      status: 'queued',
      objectKey,
      fileSha256,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  // The job and its audit entry (who imported which file) exist together or not at all.
  const audit = auditStatement(
    db,
    {
      actorId: input.createdBy,
      action: 'import.create',
      targetType: 'import',
      targetId: id,
      before: null,
      after: { format: input.format, fileSha256 },
    },
    now,
  )
  const [job] = (await runBatch(db, [insert, audit]))[0] as (typeof importJobs.$inferSelect)[]
  if (runtime) await runtime.queue.send({ jobId: id, chunk: 0 })
  return { job: job!, text }
}

/** Moves a queued job to running with its row count, or fails it when the file as a whole is unusable. */
async function startJob(db: Db, jobId: string, format: ImportFormat, text: string): Promise<Item[] | null> {
  let items: Item[]
  try {
    items = prepareItems(format, text)
  } catch (error) {
    if (!(error instanceof FeedError)) throw error
    await failJob(db, jobId, error.message)
    return null
  }
  const now = new Date()
  await db
    .update(importJobs)
    .set({
      status: items.length === 0 ? 'completed' : 'running',
      totalRows: items.length,
      updatedAt: now,
      ...(items.length === 0 ? { finishedAt: now } : {}),
    })
    .where(and(eq(importJobs.id, jobId), eq(importJobs.status, 'queued')))
  return items
}

async function applyItems(db: Db, jobId: string, offset: number, items: Item[], total: number) {
  const books = items.filter((item): item is ImportBook => !('reason' in item))
  const rejects = items.filter((item): item is ImportReject => 'reason' in item)
  return applyChunk(db, { id: jobId, offset, finishes: offset + items.length >= total }, { books, rejects })
}

/** The whole job in this invocation (no Queue or R2: the Node project), chunk by chunk as the consumer does it. */
export async function runInline(db: Db, jobId: string, format: ImportFormat, text: string): Promise<void> {
  const items = await startJob(db, jobId, format, text)
  if (!items) return
  for (let offset = 0; offset < items.length; offset += CHUNK_ROWS)
    await applyItems(db, jobId, offset, items.slice(offset, offset + CHUNK_ROWS), items.length)
}

/**
 * One queue message. Chunk 0 reads the file from R2, parses and validates every row, stages the results in R2
 * segments and enqueues chunk 1; chunk k applies rows [(k-1)·CHUNK_ROWS, k·CHUNK_ROWS) and enqueues chunk k+1, the
 * last one completes the job and drops the staging. Delivery is at least once: a chunk whose rows the job already
 * counts is not applied again (its successor is enqueued again if it may have been lost).
 */
export async function processImportMessage(db: Db, runtime: ImportRuntime, message: ImportQueueMessage) {
  const [job] = await db.select().from(importJobs).where(eq(importJobs.id, message.jobId)).limit(1)
  if (!job || job.status === 'completed' || job.status === 'failed') return
  if (message.chunk === 0) {
    // Once a chunk has been applied, staging is done; before that a redelivery stages again (same file, same
    // segments), so a first attempt that failed half-way cannot leave the job running for ever.
    if (job.processedRows > 0) return
    const file = await runtime.files.get(job.objectKey)
    if (!file) return failJob(db, job.id, 'The uploaded file is missing from storage')
    const items = await startJob(db, job.id, job.format, decodeFeed(new Uint8Array(await file.arrayBuffer())))
    if (!items || items.length === 0) return
    for (let segment = 0; segment * SEGMENT_ROWS < items.length; segment++) {
      const part = items.slice(segment * SEGMENT_ROWS, (segment + 1) * SEGMENT_ROWS)
      await runtime.files.put(segmentKey(job.id, segment), JSON.stringify(part))
    }
    await runtime.queue.send({ jobId: job.id, chunk: 1 })
    return
  }
  const total = job.totalRows ?? 0
  const offset = (message.chunk - 1) * CHUNK_ROWS
  const end = Math.min(offset + CHUNK_ROWS, total)
  if (job.processedRows > offset) {
    if (job.processedRows === end && end < total)
      await runtime.queue.send({ jobId: job.id, chunk: message.chunk + 1 })
    return
  }
  if (job.processedRows < offset) throw new Error('import chunk arrived before its predecessor was applied')
  const segment = Math.floor(offset / SEGMENT_ROWS)
  const staged = await runtime.files.get(segmentKey(job.id, segment))
  if (!staged) return failJob(db, job.id, 'A staged part of the import is missing from storage')
  const items = (JSON.parse(await staged.text()) as Item[]).slice(
    offset - segment * SEGMENT_ROWS,
    end - segment * SEGMENT_ROWS,
  )
  await applyItems(db, job.id, offset, items, total)
  if (end < total) {
    await runtime.queue.send({ jobId: job.id, chunk: message.chunk + 1 })
    return
  }
  const segments = Math.ceil(total / SEGMENT_ROWS)
  await runtime.files.delete(Array.from({ length: segments }, (_, index) => segmentKey(job.id, index)))
}

/** After the queue's last retry: the job fails with a message safe to show (the error itself is logged). */
export async function giveUpOnJob(db: Db, jobId: string) {
  await failJob(db, jobId, 'Processing failed repeatedly; see the logs, then upload the file again')
}

export async function getImportJob(db: Db, id: string) {
  const [job] = await db.select().from(importJobs).where(eq(importJobs.id, id)).limit(1)
  if (!job) throw new ApiError(404, { title: 'Import not found', detail: `No import has id ${id}` })
  return job
}

/** One page of a job's rejects, in row order (keyset on the row number). */
export async function listRejects(db: Db, id: string, page: { after?: number; limit: number }) {
  await getImportJob(db, id)
  const rows = await db
    .select({ rowNumber: importRejects.rowNumber, isbn: importRejects.isbn, reason: importRejects.reason })
    .from(importRejects)
    .where(
      and(
        eq(importRejects.jobId, id),
        page.after !== undefined ? gt(importRejects.rowNumber, page.after) : undefined,
      ),
    )
    .orderBy(asc(importRejects.rowNumber))
    .limit(page.limit + 1)
  return { rows: rows.slice(0, page.limit), more: rows.length > page.limit }
}
