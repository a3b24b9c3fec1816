import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** One field-level error: an RFC 6901 JSON pointer into the request, and what is wrong there. */
export type FieldError = { pointer: string; detail: string }

export type ProblemInit = {
  title: string
  detail?: string
  /** A short slug; becomes `type: "/problems/<slug>"` (a URI relative to the API's base). */
  type?: string
  errors?: FieldError[]
  headers?: Record<string, string>
}

/**
 * The one error type. Anything may throw it; `app.onError` turns it into RFC 9457 problem details.
 * 4xx details tell the caller what to fix; 5xx details never reveal internals.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly problem: ProblemInit,
  ) {
    super(problem.detail ?? problem.title)
    this.name = 'ApiError'
  }
}

export type ProblemBody = {
  type: string
  title: string
  status: number
  detail?: string
  instance: string
  requestId?: string
  errors?: FieldError[]
}

const STATUS_SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'validation-error',
  429: 'rate-limited',
  500: 'internal-error',
  503: 'unavailable',
}

export function problemBody(c: Context, status: number, init: ProblemInit): ProblemBody {
  return {
    type: `/problems/${init.type ?? STATUS_SLUGS[status] ?? 'error'}`,
    title: init.title,
    status,
    ...(init.detail ? { detail: init.detail } : {}),
    instance: new URL(c.req.url).pathname,
    requestId: c.get('requestId'),
    ...(init.errors?.length ? { errors: init.errors } : {}),
  }
}

/**
 * Headers a middleware sets for the whole request before the handler runs (the request id, the rate-limit policy):
 * Hono keeps them for the response the context builds, so a problem built here carries them over itself.
 */
const REQUEST_HEADERS = ['X-Request-Id', 'RateLimit-Policy']

/** Renders problem details as `application/problem+json` (the XML middleware converts when asked). */
export function problemResponse(c: Context, status: ContentfulStatusCode, init: ProblemInit): Response {
  const headers = new Headers(init.headers)
  for (const name of REQUEST_HEADERS) {
    const value = c.res.headers.get(name)
    if (value !== null && !headers.has(name)) headers.set(name, value)
  }
  headers.set('Content-Type', 'application/problem+json')
  headers.set('Cache-Control', 'no-store')
  return new Response(JSON.stringify(problemBody(c, status, init)), { status, headers })
}
