import { applyD1Migrations, type D1Migration, env } from 'cloudflare:test'

// Every test file starts from the real migrations, exactly as `wrangler d1 migrations apply` runs them.
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS)
