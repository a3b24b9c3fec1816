// `npm run dev [-- --port N]`: secrets → migrations → demo catalog → wrangler dev, with nothing to set up by hand.
// The server's URL is written to .wrangler/dev-url while it runs (scripts/lib/dev-url.ts), for stripe:simulate.
import { spawn } from 'node:child_process'
import { seedDemoCatalog } from '../src/db/seed/index.ts'
import { note, runCli } from './lib/cli.ts'
import { clearDevUrl, DEFAULT_DEV_PORT, devUrlFromArgs, writeDevUrl } from './lib/dev-url.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { ensureDocsAssets } from './lib/docs-assets.ts'
import { openLocalD1 } from './lib/local-d1.ts'
import { portInUse } from './lib/port.ts'
import { WRANGLER_ENV, wrangler } from './lib/run.ts'

await runCli('dev', async () => {
  // The port is always explicit, so wrangler never moves to another one silently and .wrangler/dev-url is right.
  const args = process.argv.slice(2)
  if (!args.some((arg) => arg === '--port' || arg.startsWith('--port=')))
    args.push('--port', String(DEFAULT_DEV_PORT))
  const url = devUrlFromArgs(args)
  // Refuse a taken port before touching .wrangler/dev-url: it names the server already running there.
  const { port, hostname } = new URL(url)
  if (await portInUse(Number(port), hostname.replace(/^\[|\]$/g, '')))
    throw new Error(`${url} is already in use: stop that server or pass --port N`)
  await ensureDevVars()
  ensureDocsAssets()
  note('[dev] applying migrations to the local D1 database')
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true })

  const local = await openLocalD1()
  const added = await seedDemoCatalog(local.db)
  await local.dispose()
  if (added > 0) note(`[dev] loaded ${added} demo books`)

  writeDevUrl(url)
  // The OpenAPI document's server URL follows the port this server really listens on.
  args.push('--var', `PUBLIC_API_URL:${url}`)
  // Not CI=true here: wrangler dev's interactive hotkeys stay available in a terminal. Its output is the server's
  // log, on the terminal as before.
  const { CI: _ci, ...devEnv } = { ...process.env, ...WRANGLER_ENV }
  const child = spawn('wrangler', ['dev', ...args], { stdio: 'inherit', env: devEnv })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal))
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`could not start wrangler dev: ${error.message}`)))
    child.on('exit', (exitCode) => resolve(exitCode ?? 0))
  }).finally(() => clearDevUrl(url))
  process.exit(code)
})
