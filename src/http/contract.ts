import { POLICY_EXTENSION, type PolicyStatement } from './policy'
import { withXmlVariants } from './schemas'

/**
 * The published OpenAPI document is the contract: every status the API can answer is listed on every operation
 * that can answer it. Route files declare what is particular to a route (its 200s, 404 for an unknown id, 409 for
 * a conflict); the statuses that come from the shared middleware and the error handler are added here, from
 * facts the document itself states (a request body, parameters, and the route's policy preset: its `security` and
 * its `x-folio-policy`, src/http/policy.ts), so a new route is covered without anyone remembering to list them:
 *  - every operation: `security` (`[]` when public, RFC: OpenAPI 3.1 §4.8.10) and 500;
 *  - a parameter or a JSON body: 400 (a bad parameter, malformed JSON);
 *  - a JSON body: 422 (a well-formed body that breaks the rules);
 *  - a path parameter: 404 (no such resource);
 *  - `security`: 401 (no, bad or expired token; `WWW-Authenticate`, RFC 6750 §3) and 403;
 *  - a policy with a rate limit (every /v1 route): 429 (`Retry-After`, `RateLimit`, `RateLimit-Policy`);
 *  - under /v1, on POST/PUT/PATCH/DELETE: 413 (body limit) and 415 (a body that is not JSON);
 *  - every route that reads the database (/v1, /health): 503 with `Retry-After` when the database is down.
 */

type Header = { description: string; schema: { type: string } }
type Response = {
  description: string
  content?: unknown
  headers?: Record<string, Header | { $ref: string }>
}
type Operation = {
  security?: unknown[]
  parameters?: { in: string }[]
  requestBody?: unknown
  responses?: Record<string, Response>
  [POLICY_EXTENSION]?: PolicyStatement
}
type Document = { paths?: object; components?: object }

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete'])

const HEADERS: Record<string, Header> = {
  RetryAfter: {
    description: 'Seconds to wait before retrying (RFC 9110 §10.2.3)',
    schema: { type: 'integer' },
  },
  RateLimit: {
    description:
      'Remaining quota and seconds to reset, e.g. `"ip";r=0;t=60` (draft-ietf-httpapi-ratelimit-headers-10)',
    schema: { type: 'string' },
  },
  RateLimitPolicy: {
    description: 'The quota policy, e.g. `"ip";q=600;w=60` (draft-ietf-httpapi-ratelimit-headers-10)',
    schema: { type: 'string' },
  },
  WWWAuthenticate: { description: 'The Bearer challenge (RFC 6750 §3)', schema: { type: 'string' } },
}
const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` })

// The document holds JSON Schema, not zod: the shared problem schema by reference (registered as `Problem`).
const problem = (description: string, headers?: Response['headers']): Response => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  ...(headers ? { headers } : {}),
})

const standard = {
  400: () => problem('Malformed request: bad JSON, bad query or path parameter, bad cursor'),
  401: () =>
    problem('Missing, invalid or expired access token, or an ended session', {
      'WWW-Authenticate': ref('WWWAuthenticate'),
    }),
  403: () => problem('Authenticated, but not allowed (another role, or a wrong password confirmation)'),
  404: () => problem('Not found'),
  413: () => problem('Request body too large'),
  415: () => problem('A request body that is not JSON'),
  422: () => problem('Body failed validation; `errors` lists each field'),
  429: () =>
    problem('Too many requests; retry after Retry-After seconds', {
      'Retry-After': ref('RetryAfter'),
      RateLimit: ref('RateLimit'),
      'RateLimit-Policy': ref('RateLimitPolicy'),
    }),
  500: () => problem('Unexpected error; quote requestId when reporting it'),
  503: () =>
    problem('The database is unavailable; retry after Retry-After seconds', {
      'Retry-After': ref('RetryAfter'),
    }),
} satisfies Record<number, () => Response>

function statusesFor(path: string, method: string, operation: Operation): (keyof typeof standard)[] {
  const parameters = operation.parameters ?? []
  const statuses: (keyof typeof standard)[] = [500]
  const isApi = path.startsWith('/v1/')
  if (parameters.length > 0 || operation.requestBody) statuses.push(400)
  if (operation.requestBody) statuses.push(422)
  if (parameters.some((parameter) => parameter.in === 'path')) statuses.push(404)
  if ((operation.security ?? []).length > 0) statuses.push(401, 403)
  if ((operation[POLICY_EXTENSION]?.rateLimit ?? []).length > 0) statuses.push(429)
  if (isApi && BODY_METHODS.has(method)) statuses.push(413, 415)
  if (isApi || path === '/health') statuses.push(503)
  return statuses
}

/** Adds the standard error responses, `security: []` on public operations, and the shared headers. */
export function withStandardErrors<T extends Document>(document: T): T {
  for (const [path, item] of Object.entries(document.paths ?? {}) as [string, Record<string, Operation>][]) {
    for (const method of METHODS) {
      const operation = item[method]
      if (!operation) continue
      operation.security ??= []
      const responses = { ...operation.responses }
      for (const status of statusesFor(path, method, operation)) {
        // A route's own description wins; the standard headers are added to it.
        const shared = standard[status]()
        const own = responses[status]
        responses[status] = own
          ? { ...shared, ...own, headers: { ...shared.headers, ...own.headers } }
          : shared
        if (!responses[status]?.headers || Object.keys(responses[status].headers).length === 0)
          delete responses[status]?.headers
      }
      // Numeric order reads best (and keeps the document stable whatever order the statuses were added in).
      operation.responses = Object.fromEntries(
        Object.entries(responses).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })),
      )
    }
  }
  const components = (document.components ?? {}) as { headers?: Record<string, unknown> }
  document.components = { ...components, headers: { ...components.headers, ...HEADERS } }
  return document
}

/** The document as published at /openapi.json: the standard errors, then the XML twin of every JSON body. */
export const asContract = <T extends Document>(document: T): T =>
  withXmlVariants(withStandardErrors(document))
