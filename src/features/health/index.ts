import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { ApiError } from '../../http/problem'
import { createRouter } from '../../http/router'
import { pick } from '../../http/schemas'

const health = createRoute({
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  tags: ['Operations'],
  summary: 'Liveness and database check',
  responses: {
    200: {
      description: 'The Worker and its database answer',
      content: {
        'application/json': { schema: z.object({ status: z.literal('ok'), database: z.literal('ok') }) },
      },
    },
    503: pick(500)[500],
  },
})

export const healthRouter = createRouter().openapi(health, async (c) => {
  try {
    await c.var.db.run(sql`SELECT 1`)
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'health check failed', error: String(error) }))
    throw new ApiError(503, {
      title: 'Database unavailable',
      detail: 'The database did not answer; retry shortly',
    })
  }
  c.header('Cache-Control', 'no-store')
  return c.json({ status: 'ok' as const, database: 'ok' as const }, 200)
})
