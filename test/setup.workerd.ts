import { applyD1Migrations, type D1Migration, env } from 'cloudflare:test'
import { compiledStatements } from '../src/db/compiled'

// Every test file starts from the real migrations, exactly as `wrangler d1 migrations apply` runs them.
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS)

// Every compiled statement (src/db/compiled.ts) is checked against the statement built anew, on every run.
compiledStatements.verify = true
