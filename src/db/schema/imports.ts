import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const IMPORT_FORMATS = ['csv', 'onix'] as const
export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const

/**
 * A catalogue import (CSV or ONIX for Books 3.0): the uploaded file lives in R2 under `object_key`, a Queue
 * message drives the job, and the counters report progress. `created_by` is the admin's id, nulled when that
 * account is erased.
 */
export const importJobs = sqliteTable(
  'import_jobs',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    format: text('format', { enum: IMPORT_FORMATS }).notNull(),
    status: text('status', { enum: IMPORT_STATUSES }).notNull(),
    objectKey: text('object_key').notNull(),
    fileSha256: text('file_sha256').notNull(),
    createdBy: text('created_by'),
    totalRows: integer('total_rows'),
    processedRows: integer('processed_rows').notNull().default(0),
    createdRows: integer('created_rows').notNull().default(0),
    updatedRows: integer('updated_rows').notNull().default(0),
    unchangedRows: integer('unchanged_rows').notNull().default(0),
    rejectedRows: integer('rejected_rows').notNull().default(0),
    /** A job-level failure (the file cannot be parsed at all), in words safe to show an admin. */
    error: text('error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('import_jobs_created_at_idx').on(table.createdAt)],
)

/** Every rejected row of an import, with its reason. */
export const importRejects = sqliteTable(
  'import_rejects',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => importJobs.id, { onDelete: 'cascade' }),
    /** 1-based: the CSV line (after the header) or the ONIX <Product> position. */
    rowNumber: integer('row_number').notNull(),
    isbn: text('isbn'),
    reason: text('reason').notNull(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.rowNumber] })],
)
