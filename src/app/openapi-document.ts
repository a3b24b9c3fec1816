import { asContract } from '../http/contract'
import type { createRouter } from '../http/router'

export const API_VERSION = '1.0.0'

/** Largest accepted request body. Documented in the README and the OpenAPI description. */
export const MAX_BODY_BYTES = 64 * 1024

/** Serves `/openapi.json`: the OpenAPI 3.1 document generated from every route registered on `app` so far. */
export function serveOpenApiDocument(app: ReturnType<typeof createRouter>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An ES256 access token from POST /v1/auth/login. Locally: `npm run token -- --email <account>`.',
  })
  app.get('/openapi.json', (c) => {
    // Revalidated on every use (RFC 9111 §5.2.2.4): the document changes with each deployment, and its ETag
    // makes the check a 304.
    c.header('Cache-Control', 'no-cache')
    return c.json(
      asContract(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: 'Folio API',
            version: API_VERSION,
            description:
              'The bookstore API. JSON by default; send `Accept: application/xml` for XML (arrays as `<item>` ' +
              'elements, resources under `<response>`, errors as RFC 9457 `<problem>`). Every error is RFC 9457 ' +
              `problem details. Request bodies are JSON, at most ${MAX_BODY_BYTES} bytes, except file uploads (a cover ` +
              'image, a catalogue import), whose operations state their types and limits.\n\n' +
              'Live updates (WebSocket and Server-Sent Events under `/v1/live`): the channels, frames and events are ' +
              'in the AsyncAPI 3.0 document at [/asyncapi.json](/asyncapi.json).',
          },
          servers: [{ url: c.var.config.PUBLIC_API_URL }],
        }),
      ),
    )
  })
}
