import { OpenAPIHono, type RouteConfig, type RouteConfigToEnv, type RouteHandler } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import type { AppEnv } from '../env'
import { assertRoutePolicy } from './policy'
import { ApiError, type FieldError } from './problem'

/** `/body/authors/0` style pointers (RFC 6901) for each zod issue. */
function fieldErrors(error: ZodError, target: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path
    const pointer = [target, ...path.map((part) => String(part).replace(/~/g, '~0').replace(/\//g, '~1'))]
    const detail =
      issue.code === 'unrecognized_keys' ? `Unknown field: ${issue.keys.join(', ')}` : issue.message
    return { pointer: `/${pointer.join('/')}`, detail }
  })
}

/**
 * Every validation failure in one shape. Query, path and header problems are 400 (the request is malformed);
 * a well-formed JSON body that breaks the rules is 422 (RFC 9110 §15.5.21).
 */
export function validationFailed(error: ZodError, target: string): ApiError {
  const isBody = target === 'json'
  return new ApiError(isBody ? 422 : 400, {
    title: isBody ? 'Validation failed' : 'Invalid request parameters',
    detail: isBody
      ? 'The request body has invalid fields; see errors'
      : 'See errors for the parameters to fix',
    type: isBody ? 'validation-error' : 'bad-request',
    errors: fieldErrors(error, isBody ? 'body' : target === 'param' ? 'path' : target),
  })
}

/**
 * A feature router: same hook and env as the app, so every validation failure is a problem. Its `openapi()`
 * refuses a route that does not state its policy with a preset (src/http/policy.ts).
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw validationFailed(result.error as ZodError, result.target)
    },
  })
  const register = router.openapi
  router.openapi = ((route: RouteConfig, ...rest: unknown[]) => {
    assertRoutePolicy(route)
    return (register as (...args: unknown[]) => unknown)(route, ...rest)
  }) as typeof register
  return router
}

/** A handler typed by its route: its input, its responses, and the variables its policy guarantees. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv & RouteConfigToEnv<R>>
