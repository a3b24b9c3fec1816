import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { loggableError } from '../../db/errors'
import { unmetered } from '../../http/policy'
import { ApiError } from '../../http/problem'
import { createRouter } from '../../http/router'
import { pick } from '../../http/schemas'
import { databaseUnavailable } from '../../http/unavailable'

const health = createRoute({
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  ...unmetered(),
  tags: ['Operations'],
  summary: 'Liveness and database check',
  description:
    'Reads every table the API needs (one statement: a missing or corrupt table fails it) and runs one query ' +
    'through the catalog search index. 503 with `Retry-After` when the database cannot serve.',
  responses: {
    200: {
      description: 'The Worker and its database answer',
      content: {
        'application/json': { schema: z.object({ status: z.literal('ok'), database: z.literal('ok') }) },
      },
    },
    503: { ...pick(500)[500], description: 'The database cannot serve (see Retry-After)' },
  },
})

/** The tables the API reads on its main paths. One statement, so the check costs a single round trip. */
const CRITICAL_TABLES = [
  'books',
  'catalog_state',
  'users',
  'sessions',
  'refresh_tokens',
  'cart_items',
  'addresses',
  'orders',
  'order_lines',
  'payments',
  'idempotency_keys',
  'mail_outbox',
]

/**
 * A cheap read of each critical table (a `LIMIT 1` scalar subquery; "no such table" or a corrupt page fails the
 * whole statement) and one full-text query, which opens the FTS5 index the catalog search depends on.
 */
const readinessCheck = sql.raw(
  `SELECT ${CRITICAL_TABLES.map((table) => `(SELECT 1 FROM "${table}" LIMIT 1)`).join(', ')}, ` +
    `(SELECT rowid FROM books_fts WHERE books_fts MATCH '"folio"' LIMIT 1)`,
)

export const healthRouter = createRouter().openapi(health, async (c) => {
  try {
    await c.var.db.run(readinessCheck)
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'health check failed', ...loggableError(error) }))
    throw new ApiError(503, databaseUnavailable)
  }
  c.header('Cache-Control', 'no-store')
  return c.json({ status: 'ok' as const, database: 'ok' as const }, 200)
})
