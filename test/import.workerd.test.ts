import { env } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { importJobs } from '../src/db/schema'
import type { Bindings, ImportQueueMessage } from '../src/env'
import { handleImportQueue, resumeStalledImports } from '../src/features/imports'
import { randomId } from '../src/lib/ids'
import { csvFile, csvRow } from './helpers/catalog-feeds'
import { json } from './helpers/http'
import { finishedJob, uploadImport } from './helpers/imports'
import { createUser } from './helpers/tokens'

const bindings = env as unknown as Bindings & { IMPORT_FILES: R2Bucket }

async function jobRow(id: string) {
  const [row] = await harness.db().select().from(importJobs).where(eq(importJobs.id, id))
  return row!
}

describe('imports on R2 and the Queue (workerd)', () => {
  it('stores the upload in R2, runs a many-chunk file through the queue consumer, then drops the staging', async () => {
    const admin = await createUser('admin')
    const rows = Array.from({ length: 1234 }, () => csvRow())
    const file = csvFile(rows)
    const response = await uploadImport(admin.token, file, 'text/csv; charset=utf-8')
    expect(response.status).toBe(202)
    const queued = await json(response)
    expect(queued.status).toBe('queued')
    const stored = await bindings.IMPORT_FILES.get((await jobRow(queued.id)).objectKey)
    expect(await stored?.text()).toBe(file)

    const job = await finishedJob(admin.token, queued.id)
    expect(job).toMatchObject({ status: 'completed', totalRows: 1234, processedRows: 1234, created: 1234 })
    const staging = await bindings.IMPORT_FILES.list({ prefix: `staging/${queued.id}/` })
    expect(staging.objects).toEqual([])
  })

  it('a redelivered message applies nothing twice (at-least-once delivery)', async () => {
    const admin = await createUser('admin')
    const response = await uploadImport(admin.token, csvFile([csvRow(), csvRow()]), 'text/csv')
    const job = await finishedJob(admin.token, (await json(response)).id)
    expect(job.created).toBe(2)
    const acked: number[] = []
    const message = (chunk: number) => ({
      body: { jobId: job.id, chunk },
      attempts: 1,
      ack: () => acked.push(chunk),
      retry: () => {},
    })
    const batch = {
      queue: 'folio-imports',
      messages: [message(0), message(1)],
    } as unknown as MessageBatch<ImportQueueMessage>
    await handleImportQueue(batch, bindings)
    expect(acked).toEqual([0, 1])
    const after = await jobRow(job.id)
    expect(after).toMatchObject({
      processedRows: 2,
      createdRows: 2,
      updatedRows: 0,
      unchangedRows: 0,
      status: 'completed',
    })
  })

  it('a job whose first step failed half-way (running, nothing applied) is staged again on redelivery', async () => {
    const admin = await createUser('admin')
    const id = randomId('imp')
    const objectKey = `imports/${id}.csv`
    await bindings.IMPORT_FILES.put(objectKey, csvFile([csvRow(), csvRow(), csvRow()]))
    const now = new Date()
    await harness.db().insert(importJobs).values({
      id,
      format: 'csv',
      status: 'running',
      objectKey,
      fileSha256: 'x',
      createdBy: admin.id,
      totalRows: 3,
      createdAt: now,
      updatedAt: now,
    })
    const acked: number[] = []
    const batch = {
      queue: 'folio-imports',
      messages: [{ body: { jobId: id, chunk: 0 }, attempts: 2, ack: () => acked.push(0), retry: () => {} }],
    } as unknown as MessageBatch<ImportQueueMessage>
    await handleImportQueue(batch, bindings)
    expect(acked).toEqual([0])
    expect(await finishedJob(admin.token, id)).toMatchObject({
      status: 'completed',
      processedRows: 3,
      created: 3,
    })
  })
})

describe('the import watchdog (cron)', () => {
  async function stalledJob(adminId: string, idleMs: number) {
    const id = randomId('imp')
    const objectKey = `imports/${id}.csv`
    await bindings.IMPORT_FILES.put(objectKey, csvFile([csvRow(), csvRow()]))
    const then = new Date(Date.now() - idleMs)
    await harness.db().insert(importJobs).values({
      id,
      format: 'csv',
      status: 'queued',
      objectKey,
      fileSha256: 'x',
      createdBy: adminId,
      createdAt: then,
      updatedAt: then,
    })
    return id
  }

  it('re-kicks a job whose queue message was lost, once per stall; it then completes', async () => {
    const admin = await createUser('admin')
    const id = await stalledJob(admin.id, 60 * 60 * 1000)
    const now = new Date()
    expect(await resumeStalledImports(bindings, now)).toBeGreaterThanOrEqual(1)
    // The same stall is not re-kicked by the next run: the touch moved updated_at.
    const again = await resumeStalledImports(bindings, now)
    expect(again).toBe(0)
    expect(await finishedJob(admin.token, id)).toMatchObject({
      status: 'completed',
      processedRows: 2,
      created: 2,
    })
  })

  it('gives up on a job that has not moved for 24 hours, saying why', async () => {
    const admin = await createUser('admin')
    const id = await stalledJob(admin.id, 25 * 60 * 60 * 1000)
    await resumeStalledImports(bindings, new Date())
    expect(await jobRow(id)).toMatchObject({ status: 'failed', error: expect.stringContaining('24 hours') })
  })
})
