// `npm run bench:live [-- --sockets 1000] [-- --writes 1] [-- --idle-seconds 5] [-- --port 8840] [-- --fresh]`:
// the fan-out class on its own. Starts the Worker with wrangler dev on a loopback port (the bench's config copy,
// rate limits out of reach, the live connection limits raised above --sockets: one load generator is one IP), a
// small generated catalog and a bench admin in its own persist dir; opens N WebSockets on one book channel,
// changes that book's price (once, or --writes times), and prints p50/p99 from the commit to each delivery and the
// server's memory per idle socket (one JSON line on stdout, a summary on stderr).
import { spawn } from 'node:child_process'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { getPlatformProxy } from 'wrangler'
import type { Db } from '../src/db/client.ts'
import * as schema from '../src/db/schema/index.ts'
import { randomId } from '../src/lib/ids.ts'
import { hashPassword } from '../src/lib/password.ts'
import { measureFanout } from './lib/bench-fanout.ts'
import { BENCH_PASSWORD } from './lib/bench-flows.ts'
import { BENCH_CONFIG, benchState, prepareDatabase, writeBenchConfig } from './lib/bench-server.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { portInUse } from './lib/port.ts'
import { WRANGLER_ENV } from './lib/run.ts'

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`)
  return value
}

const sockets = option('sockets', 1000)
const port = option('port', 8840)
const idleSeconds = option('idle-seconds', 5)
const writes = option('writes', 1)
/** The catalog size does not matter here (one book is written); a small one keeps the setup quick. */
const BOOKS = 200
const ADMIN_EMAIL = 'bench-live-admin@example.com'
const log = (line: string) => console.error(`[bench:live] ${line}`)

/** The bench admin, created (or reset) in the bench database before the server starts. */
async function ensureBenchAdmin(pepper: string): Promise<void> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: BENCH_CONFIG,
    persist: { path: `${benchState(BOOKS)}/v3` },
  })
  try {
    const db = drizzle(proxy.env.DB, { schema }) as unknown as Db
    const now = new Date()
    const passwordHash = await hashPassword(BENCH_PASSWORD, pepper)
    const [existing] = await db.select().from(schema.users).where(eq(schema.users.email, ADMIN_EMAIL))
    if (existing) {
      await db
        .update(schema.users)
        .set({ role: 'admin', passwordHash, updatedAt: now })
        .where(eq(schema.users.id, existing.id))
    } else {
      await db.insert(schema.users).values({
        id: randomId('usr'),
        email: ADMIN_EMAIL,
        name: 'Bench Admin',
        passwordHash,
        role: 'admin',
        emailVerifiedAt: now,
        createdAt: now,
        updatedAt: now,
      })
    }
  } finally {
    await proxy.dispose()
  }
}

if (await portInUse(port, '127.0.0.1')) throw new Error(`port ${port} is in use: pass --port N`)
const secrets = await ensureDevVars()
writeBenchConfig()
await prepareDatabase(BOOKS, log)
await ensureBenchAdmin(secrets.PASSWORD_PEPPER ?? '')

const limit = String(sockets + 100)
const args = ['dev', '--config', BENCH_CONFIG, '--ip', '127.0.0.1', '--port', String(port)]
args.push('--persist-to', benchState(BOOKS), '--inspector-port', String(port + 1), '--log-level', 'error')
args.push('--var', `LIVE_MAX_PER_IP:${limit}`, '--var', `LIVE_MAX_SOCKETS:${limit}`)
log(`starting wrangler dev on 127.0.0.1:${port}`)
// The Worker logs one JSON line per request (1,000 upgrades); discarded, so the bench measures no terminal.
const child = spawn('wrangler', args, {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ...WRANGLER_ENV },
})
const origin = `http://127.0.0.1:${port}`

async function stop(): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

try {
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`)
    if (Date.now() > deadline) throw new Error('wrangler dev did not become ready within 90 s')
    const ready = await fetch(`${origin}/_bench/static`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const login = await fetch(`${origin}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: BENCH_PASSWORD }),
  })
  if (login.status !== 200) throw new Error(`the bench admin could not sign in: ${login.status}`)
  const { accessToken } = (await login.json()) as { accessToken: string }
  const list = await fetch(`${origin}/v1/books?limit=1&inStock=true`)
  const [book] = ((await list.json()) as { data: { id: string }[] }).data
  if (!book) throw new Error('no book in the bench catalog')

  log(`opening ${sockets} WebSockets on book:${book.id}`)
  const result = await measureFanout(origin, {
    sockets,
    adminToken: accessToken,
    bookId: book.id,
    serverPid: child.pid,
    idleSeconds,
    writes,
    log,
  })
  const perSocket =
    result.memoryPerSocketBytes === null ? 'n/a' : `${(result.memoryPerSocketBytes / 1024).toFixed(1)} KiB`
  const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(0)} MiB`)
  log(
    `${result.delivered}/${result.sockets * result.writes} delivered (${result.writes} write(s)); commit → delivery p50 ${result.p50Ms} ms, p99 ` +
      `${result.p99Ms} ms (max ${result.maxMs} ms, first to last ${result.spreadMs} ms; from the write's ` +
      `response p50 ${result.p50FromResponseMs} ms, p99 ${result.p99FromResponseMs} ms); write ${result.writeMs} ms`,
  )
  log(
    `memory per idle socket ${perSocket} (workerd RSS ${mib(result.rssBeforeBytes)} → ` +
      `${mib(result.rssAfterBytes)}, ${mib(result.rssClosedBytes)} after closing)`,
  )
  console.log(JSON.stringify(result))
  if (result.delivered !== result.sockets * result.writes) process.exitCode = 1
} finally {
  await stop()
}
