import { createRoute, z } from '@hono/zod-openapi'
import { ASYNCAPI_VERSION, asyncApiDocument } from '../features/live'
import { unmetered } from '../http/policy'
import type { createRouter } from '../http/router'
import { API_VERSION } from './openapi-document'

/** The top of the document, enough for a client to recognise it; the rest is AsyncAPI 3.0's own schema. */
const AsyncApiDocumentSchema = z
  .looseObject({
    asyncapi: z.literal(ASYNCAPI_VERSION),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    servers: z.record(z.string(), z.looseObject({ host: z.string(), protocol: z.enum(['ws', 'wss']) })),
    channels: z.record(z.string(), z.looseObject({ address: z.string() })),
    operations: z.record(z.string(), z.looseObject({ action: z.enum(['send', 'receive']) })),
  })
  .openapi('AsyncApiDocument')

const asyncApi = createRoute({
  operationId: 'getAsyncApiDocument',
  method: 'get',
  path: '/asyncapi.json',
  // A document, like /openapi.json: read by tools and code generators, never throttled.
  ...unmetered(),
  tags: ['Operations'],
  summary: 'The live channels (WebSocket, SSE) as an AsyncAPI 3.0 document',
  description:
    'Generated from the same zod schemas the server builds its frames from: the channels under `/v1/live`, every ' +
    'frame and event, the subprotocol authentication and the close codes. The server is PUBLIC_API_URL as ' +
    '`ws`/`wss`.',
  responses: {
    200: {
      description: 'The AsyncAPI 3.0 document',
      content: { 'application/json': { schema: AsyncApiDocumentSchema } },
    },
  },
})

/** Serves `/asyncapi.json` beside `/openapi.json` (which documents this route). */
export function serveAsyncApiDocument(app: ReturnType<typeof createRouter>): void {
  app.openapi(asyncApi, (c) => {
    // Changes only with a deploy; five minutes keeps a new version visible soon after one.
    c.header('Cache-Control', 'public, max-age=300')
    const document = asyncApiDocument(c.var.config.PUBLIC_API_URL, API_VERSION)
    return c.json(document as z.infer<typeof AsyncApiDocumentSchema>, 200)
  })
}
