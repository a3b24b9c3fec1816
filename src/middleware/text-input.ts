import type { Context, MiddlewareHandler, Next } from 'hono'
import type { AppEnv } from '../env'
import { ApiError, type FieldError } from '../http/problem'
import { forbiddenTextReason, toXmlText } from '../lib/xml-chars'
import { BODY_METHODS } from './json-body'

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i
/** Enough to fix a request; the rest would only bloat the answer. */
const MAX_ERRORS = 20
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** A parameter name for a pointer, even when its own escapes are malformed. */
function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '))
  } catch {
    return part
  }
}

/** An RFC 6901 reference token; a forbidden character in a key is shown as U+FFFD, never echoed. */
const token = (part: string | number) => toXmlText(String(part)).replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * Every string in a parsed JSON document, object keys included, that carries a character XML 1.0 forbids or is
 * not well-formed Unicode. Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function forbiddenTextErrors(document: unknown, root: string): FieldError[] {
  const errors: FieldError[] = []
  const stack: [unknown, string][] = [[document, root]]
  while (stack.length > 0 && errors.length < MAX_ERRORS) {
    const [value, pointer] = stack.pop()!
    if (typeof value === 'string') {
      const reason = forbiddenTextReason(value)
      if (reason) errors.push({ pointer, detail: reason })
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${pointer}/${i}`])
    } else if (value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value).reverse()) {
        const keyReason = forbiddenTextReason(key)
        if (keyReason)
          errors.push({ pointer: `${pointer}/${token(key)}`, detail: `Field name: ${keyReason}` })
        else stack.push([field, `${pointer}/${token(key)}`])
      }
    }
  }
  return errors
}

/**
 * Refuses text that could not be stored faithfully or served as XML, for every field of every route without a
 * per-field rule: control characters XML 1.0 forbids and lone surrogates (issue 9; XML 1.0 §2.2, RFC 8259 §8.2).
 * Query and path strings → 400 (a malformed request), JSON bodies (keys included) → 422 with a pointer per field,
 * like every other validation failure. The body is read as text first, so routes that need the exact bytes
 * (webhook signatures) still get them from Hono's body cache.
 */
export function refuseForbiddenText(options: { except?: readonly string[] } = {}): MiddlewareHandler<AppEnv> {
  const except = new Set(options.except)
  return async (c, next) => {
    if (except.has(c.req.path)) return next()
    // The URL parser percent-encodes every C0 control and every code point above U+007E (WHATWG URL, "C0 control
    // percent-encode set"): a URL without `%` holds no forbidden character and no escape to check.
    if (!c.req.url.includes('%')) return refuseForbiddenBody(c, next)
    const url = new URL(c.req.url)
    const parameterErrors: FieldError[] = []
    let path = url.pathname
    try {
      path = decodeURIComponent(url.pathname)
    } catch {
      // A malformed escape is left to the router (404) and the validators.
    }
    const pathReason = forbiddenTextReason(path)
    if (pathReason) parameterErrors.push({ pointer: '/path', detail: pathReason })
    // URLSearchParams turns a malformed escape (`%C3` alone) into U+FFFD, so `q=m%FCller` would read, and be
    // cached, as another query than the handler sees: refuse escapes that are not UTF-8 (RFC 3986 §2.5).
    for (const component of url.search.slice(1).split('&')) {
      try {
        decodeURIComponent(component.replace(/\+/g, ' '))
      } catch {
        const name = component.split('=')[0] ?? ''
        parameterErrors.push({
          pointer: `/query/${token(safeDecode(name))}`,
          detail: 'Not UTF-8 percent-encoding',
        })
      }
    }
    for (const [name, value] of url.searchParams) {
      const reason = forbiddenTextReason(name) ?? forbiddenTextReason(value)
      if (reason) parameterErrors.push({ pointer: `/query/${token(name)}`, detail: reason })
    }
    if (parameterErrors.length > 0) {
      throw new ApiError(400, {
        title: 'Invalid request parameters',
        detail: 'See errors for the parameters to fix',
        type: 'bad-request',
        errors: parameterErrors.slice(0, MAX_ERRORS),
      })
    }
    return refuseForbiddenBody(c, next)
  }
}

/** A JSON body (keys included) with forbidden text → 422, one pointer per field; then the route. */
async function refuseForbiddenBody(c: Context<AppEnv>, next: Next): Promise<void> {
  if (BODY_METHODS.has(c.req.method) && JSON_TYPE.test(c.req.header('Content-Type') ?? '')) {
    let text: string
    try {
      // JSON is UTF-8 (RFC 8259 §8.1): bytes that are not would be stored as U+FFFD, silently changed.
      text = STRICT_UTF8.decode(await c.req.arrayBuffer())
    } catch {
      throw new ApiError(400, {
        title: 'Malformed request body',
        detail: 'The request body is not valid UTF-8',
        type: 'bad-request',
      })
    }
    let document: unknown
    try {
      document = JSON.parse(text)
    } catch {
      // Malformed JSON or an unreadable body: the route's validator answers it, as before.
      return next()
    }
    const errors = forbiddenTextErrors(document, '/body')
    if (errors.length > 0) {
      throw new ApiError(422, {
        title: 'Validation failed',
        detail: 'The request body has invalid fields; see errors',
        type: 'validation-error',
        errors,
      })
    }
  }
  await next()
}
