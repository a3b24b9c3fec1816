import { createRoute, z } from '@hono/zod-openapi'
import { jsonContent } from '../../http/openapi'
import { pick } from '../../http/schemas'
import { admin } from '../auth'

const AuditEntrySchema = z
  .object({
    id: z.string(),
    actorId: z.string(),
    action: z.string().openapi({ example: 'order.ship' }),
    targetType: z.string(),
    targetId: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('AuditEntry')

export const listAudit = createRoute({
  operationId: 'adminListAudit',
  tags: ['Admin: audit'],
  ...admin(),
  method: 'get',
  path: '/admin/audit',
  summary: 'The audit log of admin actions, newest first',
  request: {
    query: z.object({
      targetId: z.string().max(64).optional(),
      actorId: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: z.string().max(512).optional(),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }).openapi('AuditList'),
      'A page of entries',
    ),
    ...pick(400, 401, 403, 429, 500),
  },
})
