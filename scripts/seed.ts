// `npm run db:seed -- --count 10000`: deterministic books into the local D1 database (same rows for the same count).
// `--demo` loads the demo catalog instead. Existing ISBNs are skipped, so re-running is safe.
import { parseArgs } from 'node:util'
import { countBooks, demoBookRows, insertBooks, seedGeneratedCatalog } from '../src/db/seed/index.ts'
import { CliError, result, runCli } from './lib/cli.ts'
import { openLocalD1 } from './lib/local-d1.ts'
import { wrangler } from './lib/run.ts'

await runCli('db:seed', async () => {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '1000' }, demo: { type: 'boolean' } },
  })
  const total = Number(values.count)
  if (!Number.isInteger(total) || total < 1 || total > 1_000_000)
    throw new CliError('--count must be 1..1000000')

  wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true })
  const local = await openLocalD1()
  try {
    const started = performance.now()
    if (values.demo) await insertBooks(local.db, demoBookRows())
    else await seedGeneratedCatalog(local.db, total)
    result(
      `done in ${Math.round(performance.now() - started)} ms; the catalog has ${await countBooks(local.db)} books`,
    )
  } finally {
    await local.dispose()
  }
})
