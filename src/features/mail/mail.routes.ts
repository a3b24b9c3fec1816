import { createRoute, z } from '@hono/zod-openapi'
import { unmetered } from '../../http/policy'
import { pick } from '../../http/schemas'

export const DevMailSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  links: z.array(z.string()),
  status: z.enum(['pending', 'sent', 'dead']),
  attempts: z.number().int(),
  createdAt: z.string(),
})

/** Development only: the mail the app has sent, newest first (hidden from the public OpenAPI document). */
export const listDevMail = createRoute({
  operationId: 'listDevMail',
  method: 'get',
  path: '/_dev/mail',
  // Outside /v1 and answered only in tests and local development (src/features/mail/index.ts).
  ...unmetered(),
  hide: true,
  request: {
    query: z.object({
      to: z.string().max(320).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: {
      description: 'Mail',
      content: { 'application/json': { schema: z.object({ data: z.array(DevMailSchema) }) } },
    },
    ...pick(400, 404),
  },
})
