import { z } from '@hono/zod-openapi'
import { createDb } from '../../db/client'
import { loggableError } from '../../db/errors'
import { decodeCursor, encodeCursor, setNextLink } from '../../http/pagination'
import { ApiError } from '../../http/problem'
import { mediaType, readCappedBody } from '../../http/raw-body'
import type { AppRouteHandler } from '../../http/router'
import type * as routes from './imports.routes'
import { ListRejectsQuerySchema, toImportJob } from './imports.schemas'
import {
  createImportJob,
  getImportJob,
  giveUpOnJob,
  type ImportFormat,
  type ImportRuntime,
  listRejects,
  MAX_IMPORT_BYTES,
  runInline,
} from './imports.service'

const FORMATS: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/xml': 'onix',
  'text/xml': 'onix',
}

const rejectCursor = z.object({ r: z.number().int() })

export const createImport: AppRouteHandler<typeof routes.createImport> = async (c) => {
  const format = FORMATS[mediaType(c)]
  if (!format)
    throw new ApiError(415, {
      title: 'Unsupported media type',
      detail: 'Send a CSV file as text/csv or an ONIX 3.0 message as application/xml',
      headers: { 'Accept-Post': 'text/csv, application/xml' },
    })
  const bytes = await readCappedBody(c, MAX_IMPORT_BYTES)
  if (bytes.byteLength === 0)
    throw new ApiError(422, {
      title: 'Empty file',
      detail: 'The request body is empty',
      errors: [{ pointer: '/body', detail: 'Empty' }],
    })
  const { IMPORT_FILES: files, IMPORT_QUEUE: queue } = c.env
  const runtime: ImportRuntime | undefined = files && queue ? { files, queue } : undefined
  const { job, text } = await createImportJob(c.var.db, runtime, { format, bytes, createdBy: c.var.user.id })
  if (!runtime) {
    // No Queue or R2 here (the Node project): the job runs after the answer, in this invocation, on its own
    // database handle, as mail is delivered inline there.
    const db = createDb(c.env).db
    c.executionCtx.waitUntil(
      runInline(db, job.id, format, text).catch(async (error) => {
        console.error(
          JSON.stringify({ level: 'error', msg: 'inline import failed', ...loggableError(error) }),
        )
        await giveUpOnJob(db, job.id)
      }),
    )
  }
  c.header('Location', `/v1/admin/imports/${job.id}`)
  c.header('Cache-Control', 'no-store')
  return c.json(toImportJob(job), 202)
}

export const getImport: AppRouteHandler<typeof routes.getImport> = async (c) => {
  const job = await getImportJob(c.var.db, c.req.valid('param').id)
  return c.json(toImportJob(job), 200)
}

export const listImportRejects: AppRouteHandler<typeof routes.listImportRejects> = async (c) => {
  const query = c.req.valid('query')
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, rejectCursor).r
  const page = await listRejects(c.var.db, c.req.valid('param').id, { after, limit: query.limit })
  const last = page.rows.at(-1)
  const nextCursor = page.more && last ? encodeCursor({ r: last.rowNumber }) : null
  setNextLink(c, nextCursor, ListRejectsQuerySchema)
  return c.json(
    {
      data: page.rows.map((row) => ({ row: row.rowNumber, isbn: row.isbn, reason: row.reason })),
      nextCursor,
    },
    200,
  )
}
