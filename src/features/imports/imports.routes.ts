import { createRoute, z } from '@hono/zod-openapi'
import { jsonContent } from '../../http/openapi'
import { errors, pick } from '../../http/schemas'
import { admin } from '../auth'
import { CSV_COLUMNS, MAX_FEED_ROWS } from './csv-feed'
import {
  ImportIdSchema,
  ImportJobSchema,
  ImportRejectListSchema,
  ListRejectsQuerySchema,
} from './imports.schemas'
import { MAX_IMPORT_BYTES } from './imports.service'

const tags = ['Imports']
const file = z.string().openapi({ type: 'string', format: 'binary' })

export const createImport = createRoute({
  operationId: 'createImport',
  method: 'post',
  path: '/admin/imports',
  tags,
  summary: 'Import a catalogue file: CSV or ONIX for Books 3.0 (admin)',
  description:
    `The file as the body, UTF-8, at most ${MAX_IMPORT_BYTES} bytes and ${MAX_FEED_ROWS} rows. ` +
    '`text/csv`: a header row with the columns ' +
    CSV_COLUMNS.map((column) => `\`${column}\``).join(', ') +
    ' (isbn, title, authors, language, price, currency and published_year or release_date required; `authors` ' +
    'and `subjects` separated by `;`; price as a decimal like `12.99`). `application/xml`: an ONIX 3.0 message ' +
    '(reference tags; no DOCTYPE). The job runs on a Queue, in chunks: each row is validated (ISBN checksum, ' +
    'required fields, price, language), then upserted by ISBN; a row equal to the stored book is not written, ' +
    'so importing the same file twice changes nothing. Poll `Location` for progress.',
  ...admin(),
  request: {
    body: {
      required: true,
      content: { 'text/csv': { schema: file }, 'application/xml': { schema: file } },
    },
  },
  responses: {
    202: {
      ...jsonContent(ImportJobSchema, 'Accepted: the job, queued'),
      headers: z.object({ Location: z.string().openapi({ description: 'The job’s status URL' }) }),
    },
    ...pick(400, 401, 403, 429, 500),
    413: { ...errors[413], description: `Larger than ${MAX_IMPORT_BYTES} bytes` },
    415: { ...errors[415], description: 'Content-Type is not text/csv or application/xml' },
    422: { ...errors[422], description: 'Not UTF-8, empty, or XML with a DOCTYPE or entity declaration' },
  },
})

export const getImport = createRoute({
  operationId: 'getImport',
  method: 'get',
  path: '/admin/imports/{id}',
  tags,
  summary: 'An import’s status and progress (admin)',
  ...admin(),
  request: { params: z.object({ id: ImportIdSchema }) },
  responses: {
    200: jsonContent(ImportJobSchema, 'The job'),
    ...pick(400, 401, 403, 404, 429, 500),
  },
})

export const listImportRejects = createRoute({
  operationId: 'listImportRejects',
  method: 'get',
  path: '/admin/imports/{id}/rejects',
  tags,
  summary: 'The rows an import rejected, with the reason for each (admin)',
  description: 'In row order, cursor-paginated; the `Link` header carries the next page URL.',
  ...admin(),
  request: { params: z.object({ id: ImportIdSchema }), query: ListRejectsQuerySchema },
  responses: {
    200: {
      ...jsonContent(ImportRejectListSchema, 'A page of rejected rows'),
      headers: z.object({
        Link: z.string().optional().openapi({ description: 'rel="next" page, RFC 8288' }),
      }),
    },
    ...pick(400, 401, 403, 404, 429, 500),
  },
})
