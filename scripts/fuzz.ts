// `npm run fuzz`: Schemathesis against a throwaway local Worker, from the API's own OpenAPI document.
// A disposable state dir (D1, cache, queues) and a copy of wrangler.toml with the rate limits raised (a fuzzer on
// one address would meet mostly 429s), `wrangler dev` on a free port, an admin account signed in through the real
// login route, then the shared runner (`fuzz.sh BASE_URL TOKEN`). Exits with the runner's status; the server and
// the state dir are removed on the way out. Knobs: FUZZ_TIME_S, FUZZ_MAX_EXAMPLES, FUZZ_SEED… (see its README),
// FUZZ_TOOL (the runner's directory; default: the nearest shared/tools/schemathesis above the checkout), FUZZ_KEEP=1 keeps
// the state dir for inspection.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { getPlatformProxy } from 'wrangler'
import * as schema from '../src/db/schema/index.ts'
import { seedDemoCatalog } from '../src/db/seed/index.ts'
import { randomId } from '../src/lib/ids.ts'
import { hashPassword } from '../src/lib/password.ts'
import { DEV_VARS_PATH, ensureDevVars } from './lib/dev-vars.ts'
import { ensureDocsAssets } from './lib/docs-assets.ts'
import { WRANGLER_ENV } from './lib/run.ts'

const root = resolve(import.meta.dirname, '..')
/** The team's shared tools folder on the workplace machines, for a checkout that is not beside it. */
const WORKPLACE_TOOL = '/work/shared/tools/schemathesis'
/**
 * FUZZ_TOOL, else the nearest `shared/tools/schemathesis` beside the checkout or one of its parents, else the
 * workplace's shared folder (CI clones elsewhere).
 */
function findTool(): string {
  if (process.env.FUZZ_TOOL) return resolve(process.env.FUZZ_TOOL)
  for (let directory = dirname(root); directory !== dirname(directory); directory = dirname(directory)) {
    const candidate = join(directory, 'shared', 'tools', 'schemathesis')
    if (existsSync(join(candidate, 'fuzz.sh'))) return candidate
  }
  return WORKPLACE_TOOL
}
const tool = findTool()
const log = (message: string) => process.stderr.write(`[fuzz] ${message}\n`)
const RAISED_LIMIT = 1_000_000
/** The ISBN of BookCreate's example in the document (src/features/books/books.schemas.ts). */
const EXAMPLE_ISBN = '9780141439518'

if (!existsSync(join(tool, 'fuzz.sh'))) {
  log(`no Schemathesis runner at ${tool}; set FUZZ_TOOL to the directory that holds fuzz.sh`)
  process.exit(2)
}

/** wrangler.toml with absolute paths (the copy lives elsewhere) and every rate limit out of a fuzzer's reach. */
function fuzzConfig(): string {
  return readFileSync(join(root, 'wrangler.toml'), 'utf8')
    .replace(
      /^(main|migrations_dir|directory)\s*=\s*"([^"]+)"/gm,
      (_, key, path) => `${key} = "${resolve(root, path)}"`,
    )
    .replace(
      /simple = \{ limit = \d+, period = (\d+) \}/g,
      `simple = { limit = ${RAISED_LIMIT}, period = $1 }`,
    )
    .replace(/^(RATE_LIMIT_\w+_POLICY) = "\d+\/(\d+)"/gm, `$1 = "${RAISED_LIMIT}/$2"`)
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`)
    try {
      const response = await fetch(`${base}/health`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 1000))
  }
  throw new Error(`${base}/health did not answer within 120 s`)
}

/**
 * The demo catalog (so carts and checkouts have books) without the book whose ISBN the document uses as its
 * example, so that the example creates a book for real and the stateful phase can follow it; and a fresh admin,
 * signed in through POST /v1/auth/login like any client.
 */
async function adminToken(base: string, configPath: string, state: string, pepper: string): Promise<string> {
  const email = 'fuzz-admin@example.com'
  const password = `Fz-${crypto.randomUUID()}`
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath,
    persist: { path: join(state, 'v3') },
  })
  try {
    const db = drizzle(proxy.env.DB, { schema })
    await seedDemoCatalog(db as never)
    await db.delete(schema.books).where(eq(schema.books.isbn, EXAMPLE_ISBN))
    const now = new Date()
    await db.insert(schema.users).values({
      id: randomId('usr'),
      email,
      name: 'Fuzz Admin',
      passwordHash: await hashPassword(password, pepper),
      role: 'admin',
      emailVerifiedAt: now,
      createdAt: now,
      updatedAt: now,
    })
  } finally {
    await proxy.dispose()
  }
  const response = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (response.status !== 200)
    throw new Error(`admin login answered ${response.status}: ${await response.text()}`)
  return ((await response.json()) as { accessToken: string }).accessToken
}

/** Ends wrangler dev and its workerd children (one process group), and waits until they are gone. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return
  const pid = child.pid
  const exited = new Promise((done) => child.once('exit', done))
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name)
    } catch {
      // already gone
    }
  }
  signal('SIGTERM')
  const force = setTimeout(() => signal('SIGKILL'), 10_000)
  await exited
  clearTimeout(force)
}

/** workerd may still flush its state files for a moment after wrangler exits: remove until nothing is left. */
async function removeDirectory(directory: string): Promise<void> {
  for (let attempt = 0; attempt < 10 && existsSync(directory); attempt++) {
    rmSync(directory, { recursive: true, force: true })
    await new Promise((done) => setTimeout(done, 500))
  }
}

const work = mkdtempSync(join(tmpdir(), 'folio-fuzz-'))
const state = join(work, 'state')
const configPath = join(work, 'wrangler.toml')
let server: ChildProcess | undefined
let status = 2
try {
  const vars = await ensureDevVars(join(root, DEV_VARS_PATH))
  ensureDocsAssets()
  writeFileSync(configPath, fuzzConfig())
  // wrangler reads .dev.vars beside the config it is given.
  copyFileSync(join(root, DEV_VARS_PATH), join(work, '.dev.vars'))
  const env = { ...process.env, ...WRANGLER_ENV }
  const migrate = spawnSync(
    'wrangler',
    ['d1', 'migrations', 'apply', 'DB', '--local', '--config', configPath, '--persist-to', state],
    { stdio: ['ignore', 'ignore', 'inherit'], env },
  )
  if (migrate.status !== 0) throw new Error(`migrations exited with ${migrate.status}`)

  const port = await freePort()
  const inspector = await freePort()
  const base = `http://127.0.0.1:${port}`
  log(`starting wrangler dev on ${base} (state in ${state})`)
  server = spawn(
    'wrangler',
    [
      'dev',
      ...['--config', configPath, '--persist-to', state, '--ip', '127.0.0.1', '--port', String(port)],
      ...['--inspector-port', String(inspector), '--show-interactive-dev-session=false'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env, detached: true },
  )
  await waitForHealth(base, server)
  const token = await adminToken(base, configPath, state, vars.PASSWORD_PEPPER ?? '')
  log('admin signed in; running Schemathesis')
  const fuzz = spawnSync('bash', [join(tool, 'fuzz.sh'), base, token], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      // Signing out would end the admin session the rest of the run depends on. The live channels are WebSocket
      // and event-stream subscriptions, not request/response (test/live*.test.ts and the browser test drive them);
      // a cover upload is a binary image body Schemathesis cannot generate (test/covers.workerd.test.ts).
      FUZZ_EXCLUDE_PATH_REGEX:
        process.env.FUZZ_EXCLUDE_PATH_REGEX ?? '^/v1/me/sessions/|^/v1/live/|^/v1/books/[^/]+/cover$',
    },
  })
  status = fuzz.status ?? 2
} catch (error) {
  log(error instanceof Error ? error.message : String(error))
  status = 2
} finally {
  await stop(server)
  if (process.env.FUZZ_KEEP !== '1') await removeDirectory(work)
  else log(`kept ${work}`)
}
process.exit(status)
