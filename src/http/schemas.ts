import { z } from '@hono/zod-openapi'

/** RFC 9457 problem details, as every error response carries them. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-error' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().optional(),
    instance: z.string().openapi({ example: '/v1/books' }),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          pointer: z.string().openapi({ description: 'RFC 6901 JSON pointer', example: '/body/isbn' }),
          detail: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Problem')

// Only the JSON media types are declared on routes (they drive the typed `hc` client); `withXmlVariants` adds
// the XML twin of each to the published document, since the XML middleware serves every JSON response as XML.
const problemContent = { 'application/problem+json': { schema: ProblemSchema } }

const problem = (description: string) => ({ description, content: problemContent })

/** Error responses, by status, to spread into a route's `responses`. */
export const errors = {
  400: problem('Malformed request: bad JSON, bad query parameter or cursor'),
  401: problem('Missing, invalid or expired access token (see WWW-Authenticate)'),
  403: problem('Authenticated, but not allowed'),
  404: problem('Not found'),
  409: problem('Conflict with the current state'),
  412: problem('Precondition failed'),
  413: problem('Request body too large'),
  415: problem('Body is not JSON'),
  422: problem('Body failed validation; `errors` lists each field'),
  429: problem('Too many requests (see Retry-After)'),
  500: problem('Unexpected error; quote requestId when reporting it'),
} as const

export const pick = <K extends keyof typeof errors>(...statuses: K[]) =>
  Object.fromEntries(statuses.map((status) => [status, errors[status]])) as Pick<typeof errors, K>

const XML_TWINS: Record<string, string> = {
  'application/json': 'application/xml',
  'application/problem+json': 'application/problem+xml',
}

type Content = Record<string, unknown>
type Operation = { responses?: Record<string, { content?: Content }> }

/** Adds `application/xml` / `application/problem+xml` beside every JSON response in an OpenAPI document. */
export function withXmlVariants<T extends { paths?: object }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {}) as Record<string, Operation>[]) {
    for (const operation of Object.values(operations)) {
      for (const response of Object.values(operation.responses ?? {})) {
        const content = response.content
        if (!content) continue
        for (const [json, xml] of Object.entries(XML_TWINS)) {
          if (content[json] && !content[xml]) content[xml] = content[json]
        }
      }
    }
  }
  return document
}
