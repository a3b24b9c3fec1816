import { z } from '@hono/zod-openapi'
import type { importJobs } from '../../db/schema'

export const ImportIdSchema = z
  .string()
  .regex(/^imp_[0-9a-z]{26}$/, 'Not an import id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'imp_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

export const ImportJobSchema = z
  .object({
    id: z.string().openapi({ example: 'imp_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
    format: z.enum(['csv', 'onix']),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    fileSha256: z.string().openapi({ description: 'SHA-256 of the uploaded file, hex' }),
    totalRows: z.number().int().nullable().openapi({ description: 'Known once the file has been parsed' }),
    processedRows: z.number().int(),
    created: z.number().int().openapi({ description: 'New books (each a new work)' }),
    updated: z.number().int(),
    unchanged: z.number().int().openapi({ description: 'Rows equal to the stored book: nothing written' }),
    rejected: z.number().int().openapi({ description: 'See GET /v1/admin/imports/{id}/rejects' }),
    error: z.string().nullable().openapi({ description: 'Why the file as a whole failed (status failed)' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ImportJob')

export const ImportRejectSchema = z
  .object({
    row: z
      .number()
      .int()
      .openapi({ description: 'CSV data record (1 = first after the header) or ONIX <Product>' }),
    isbn: z.string().nullable(),
    reason: z
      .string()
      .openapi({ example: 'Not a valid ISBN-13 or ISBN-10 (check digit mismatch?): 9780141439519' }),
  })
  .openapi('ImportReject')

export const ImportRejectListSchema = z
  .object({ data: z.array(ImportRejectSchema), nextCursor: z.string().nullable() })
  .openapi('ImportRejectList')

export const ListRejectsQuerySchema = z.object({
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})

type JobRow = typeof importJobs.$inferSelect

export function toImportJob(row: JobRow): z.output<typeof ImportJobSchema> {
  return {
    id: row.id,
    format: row.format,
    status: row.status,
    fileSha256: row.fileSha256,
    totalRows: row.totalRows,
    processedRows: row.processedRows,
    created: row.createdRows,
    updated: row.updatedRows,
    unchanged: row.unchangedRows,
    rejected: row.rejectedRows,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  }
}
