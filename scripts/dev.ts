// `npm run dev [-- --port N]`: secrets → migrations → demo catalog → wrangler dev, with nothing to set up by hand.
import { spawn } from 'node:child_process'
import { seedDemoCatalog } from '../src/db/seed/index.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { ensureDocsAssets } from './lib/docs-assets.ts'
import { openLocalD1 } from './lib/local-d1.ts'
import { WRANGLER_ENV, wrangler } from './lib/run.ts'

await ensureDevVars()
ensureDocsAssets()
console.log('[dev] applying migrations to the local D1 database')
wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true })

const local = await openLocalD1()
const added = await seedDemoCatalog(local.db)
await local.dispose()
if (added > 0) console.log(`[dev] loaded ${added} demo books`)

// Not CI=true here: wrangler dev's interactive hotkeys stay available in a terminal.
const { CI: _ci, ...devEnv } = { ...process.env, ...WRANGLER_ENV }
const child = spawn('wrangler', ['dev', ...process.argv.slice(2)], { stdio: 'inherit', env: devEnv })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
child.on('exit', (code) => process.exit(code ?? 0))
