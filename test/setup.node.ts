import { migrate } from 'drizzle-orm/libsql/migrator'
import { harness } from './helpers/harness.node.ts'

// Each test file gets its own libSQL file, migrated with drizzle's migrator from the same SQL files.
await migrate(harness.db(), { migrationsFolder: './drizzle' })
