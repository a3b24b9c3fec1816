import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { exportJWK, generateKeyPair } from 'jose'
import { defineConfig } from 'vitest/config'
import { ensureDocsAssets } from './scripts/lib/docs-assets.ts'
import { recordedStripe, STRIPE_TEST_BASE } from './test/stripe/recorded-stripe.ts'

/**
 * The same test files run twice:
 *  - `workerd`: inside the Workers runtime (miniflare) against a real local D1, through SELF.fetch;
 *  - `node`: in Node against a real libSQL file, through app.request().
 * Each project resolves `#harness` to its own module; test files only talk to the harness.
 */

/** A fresh ES256 key pair per run: tests sign tokens with the private half, the Worker verifies with the public. */
async function testSecrets() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = 'test-key-1'
  return {
    ENVIRONMENT: 'test',
    JWT_ISSUER: 'http://localhost:8787',
    JWT_AUDIENCE: 'folio-api',
    CORS_ORIGINS: 'http://localhost:3000,https://shop.example',
    JWT_PRIVATE_JWK: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }),
    JWT_PUBLIC_JWKS: JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] }),
    PASSWORD_PEPPER: 'test-pepper-not-secret',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
  }
}

/**
 * Rate limits in the workerd project: the shared limiters are set out of reach (every test request comes from
 * one address), and RATE_LIMIT_TINY (3 per minute) lets test/rate-limit.test.ts stand in for any of them.
 */
const UNREACHABLE = { limit: 1_000_000_000, period: 60 as const }
const testRateLimits = {
  RATE_LIMIT_PUBLIC: { namespace_id: '1001', simple: UNREACHABLE },
  RATE_LIMIT_USER: { namespace_id: '1002', simple: UNREACHABLE },
  RATE_LIMIT_AUTH: { namespace_id: '1003', simple: UNREACHABLE },
  RATE_LIMIT_TINY: { namespace_id: '1999', simple: { limit: 3, period: 60 as const } },
}
const testRateLimitPolicies = {
  RATE_LIMIT_PUBLIC_POLICY: '1000000000/60',
  RATE_LIMIT_USER_POLICY: '1000000000/60',
  RATE_LIMIT_AUTH_POLICY: '1000000000/60',
}

type WorkerdProject = {
  name: string
  include: string[]
  exclude: string[]
  miniflare: {
    bindings: Record<string, unknown>
    outboundService?: (request: Request) => Promise<Response>
    d1Databases?: Record<string, string>
  }
}

/** A project whose tests run inside workerd against miniflare's D1, Cache API, Queues and Rate Limiting. */
function workerdProject({ name, include, exclude, miniflare }: WorkerdProject) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: { ...miniflare, ratelimits: testRateLimits } as never,
      }),
    ],
    resolve: {
      alias: { '#harness': new URL('./test/helpers/harness.workerd.ts', import.meta.url).pathname },
    },
    test: { name, testTimeout: 15_000, include, exclude, setupFiles: ['./test/setup.workerd.ts'] },
  }
}

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the workerd projects read the config.
  ensureDocsAssets()
  const migrations = await readD1Migrations('./drizzle')
  const secrets = await testSecrets()
  // `*.workerd.test.ts` / `*.node.test.ts` hold the few tests of a binding only one runtime has.
  const include = ['test/**/*.test.ts']
  return {
    test: {
      reporters: ['default'],
      // The request log line is tested on its own; here it would drown the output.
      onConsoleLog: (log: string) => !log.startsWith('{"level":"info","msg":"request"'),
      projects: [
        workerdProject({
          name: 'workerd',
          include,
          exclude: ['test/**/*.node.test.ts', 'test/stripe/**'],
          miniflare: {
            bindings: { ...secrets, ...testRateLimitPolicies, TEST_MIGRATIONS: migrations },
            // An empty second database, for test/migrations.workerd.test.ts to migrate step by step.
            d1Databases: { MIGRATIONS_DB: 'folio-migrations-check' },
          },
        }),
        // The real Stripe adapter, end to end: a secret key is set and miniflare hands every outbound fetch of the
        // Worker to a recorded, contract-checking stand-in for api.stripe.com (no network).
        workerdProject({
          name: 'workerd-stripe',
          include: ['test/stripe/**/*.test.ts'],
          exclude: [],
          miniflare: {
            bindings: {
              ...secrets,
              ...testRateLimitPolicies,
              TEST_MIGRATIONS: migrations,
              STRIPE_SECRET_KEY: 'sk_test_recorded',
              STRIPE_API_BASE: STRIPE_TEST_BASE,
            },
            outboundService: recordedStripe,
          },
        }),
        {
          resolve: {
            alias: { '#harness': new URL('./test/helpers/harness.node.ts', import.meta.url).pathname },
          },
          test: {
            name: 'node',
            testTimeout: 15_000,
            include,
            exclude: ['test/**/*.workerd.test.ts', 'test/stripe/**'],
            environment: 'node',
            setupFiles: ['./test/setup.node.ts'],
            provide: { secrets },
          },
        },
      ],
    },
  }
})
