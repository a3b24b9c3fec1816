import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { getLibsqlClient } from '../src/db/client.ts'
import { compiledStatements } from '../src/db/compiled.ts'
import { harness } from './helpers/harness.node.ts'

// Each test file gets its own libSQL file, migrated with drizzle's migrator from the same SQL files.
await migrate(drizzle(getLibsqlClient(harness.env.LIBSQL_URL)), { migrationsFolder: './drizzle' })

// Every compiled statement (src/db/compiled.ts) is checked against the statement built anew, on every run.
compiledStatements.verify = true
