import { z } from 'zod'

/**
 * The Worker's configuration: env vars and secrets, validated once per isolate.
 * A missing or malformed value fails loudly, naming the variable, instead of surfacing later as a confusing 500.
 */
const jwkSchema = z.looseObject({ kty: z.string(), kid: z.string().min(1) })

const jsonString = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.output<T>
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON of the documented shape' })
      return z.NEVER
    }
  })

/** "limit/period": at most `limit` requests per `period` seconds (10 or 60, as the Workers binding allows). */
const rateLimitPolicy = z
  .string()
  .regex(/^\d+\/(10|60)$/, 'must be "limit/period" with a period of 10 or 60 seconds')
  .transform((value) => {
    const [limit, period] = value.split('/').map(Number)
    return { limit: limit!, period: period! }
  })

const configSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']).default('production'),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  /** Public keys accepted for access tokens, as a JWK Set. Several keys allow rotation (RFC 7517 §5). */
  JWT_PUBLIC_JWKS: jsonString(z.object({ keys: z.array(jwkSchema).min(1) })),
  /** The current signing key (private JWK with `kid`); only needed by routes that issue tokens. */
  JWT_PRIVATE_JWK: jsonString(jwkSchema).optional(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  /** Stripe secret key (`sk_…`). Unset: the local stand-in payment provider is used (never in production). */
  STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
  /** Stripe API base URL; a test double or proxy may replace it. */
  STRIPE_API_BASE: z.url().default('https://api.stripe.com'),
  /** Signing secret of the Stripe webhook endpoint (`whsec_…`); webhooks are refused without it. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  LIBSQL_URL: z.string().optional(),
  /** How long an isolate may reuse the catalog version before re-reading it (0: read on every cached request). */
  CATALOG_VERSION_TTL_SECONDS: z.coerce.number().min(0).max(300).default(0),
  /** Mirrors of the `[[ratelimits]]` bindings' `simple` settings, "limit/period", for the RateLimit headers. */
  RATE_LIMIT_PUBLIC_POLICY: rateLimitPolicy.default({ limit: 600, period: 60 }),
  RATE_LIMIT_USER_POLICY: rateLimitPolicy.default({ limit: 300, period: 60 }),
  RATE_LIMIT_AUTH_POLICY: rateLimitPolicy.default({ limit: 10, period: 60 }),
  LIBSQL_AUTH_TOKEN: z.string().optional(),
  /**
   * "Customers who bought this also bought": distinct buyers a pair of books needs before it is shown. At least 2,
   * so one order can never reveal another customer's basket; more hides smaller groups too.
   */
  RECOMMENDATION_MIN_BUYERS: z.coerce.number().int().min(2).max(1000).default(3),
  /** Secret mixed into every password hash (src/lib/password.ts). Changing it invalidates all passwords. */
  PASSWORD_PEPPER: z.string().min(16, 'must be a random secret of at least 16 characters'),
  /**
   * The API's public origin, published as the OpenAPI document's `servers[0].url`. From configuration, never
   * from the request's Host header, which any client sets (OWASP WSTG-INPV-17, Host header injection).
   */
  PUBLIC_API_URL: z
    .url({ protocol: /^https?$/ })
    .refine((value) => new URL(value).pathname === '/' && !value.endsWith('/'), {
      message: 'must be an origin without path or trailing slash, e.g. https://api.folio.example',
    })
    .default('http://localhost:8787'),
  /** The storefront's base URL: links in emails (verification, password reset) point there. */
  APP_URL: z.url().default('http://localhost:3000'),
  /** `http`: a transactional mail API (MAIL_API_URL, MAIL_API_KEY); `local`: kept in the outbox only (dev, tests). */
  MAIL_TRANSPORT: z.enum(['http', 'local']).default('local'),
  MAIL_FROM: z.string().default('Folio <no-reply@folio.example>'),
  MAIL_API_URL: z.url().optional(),
  MAIL_API_KEY: z.string().optional(),
})

const checkedConfigSchema = configSchema.superRefine((config, ctx) => {
  if (config.MAIL_TRANSPORT === 'http' && (!config.MAIL_API_URL || !config.MAIL_API_KEY)) {
    ctx.addIssue({
      code: 'custom',
      path: ['MAIL_API_KEY'],
      message: 'MAIL_TRANSPORT=http needs MAIL_API_URL and MAIL_API_KEY',
    })
  }
  if (config.ENVIRONMENT === 'production' && config.MAIL_TRANSPORT !== 'http') {
    ctx.addIssue({
      code: 'custom',
      path: ['MAIL_TRANSPORT'],
      message: 'production must deliver mail (set it to http)',
    })
  }
})

export type Config = z.output<typeof configSchema>

const cache = new WeakMap<object, Config>()

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function getConfig(env: object): Config {
  const cached = cache.get(env)
  if (cached) return cached
  // Empty strings (an unset line in .dev.vars) count as missing.
  const values = Object.fromEntries(
    Object.entries(env).filter(([, value]) => typeof value === 'string' && value !== ''),
  )
  const parsed = checkedConfigSchema.safeParse(values)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
  }
  cache.set(env, parsed.data)
  return parsed.data
}
