// Every `npm run -s <script>` prints its result alone on stdout and everything else on stderr, so
// `TOKEN=$(npm run -s token -- --email …)` captures exactly the token; a failure is one sentence, no stack trace.
// Runs the real scripts in a fresh copy of the project (no .dev.vars, no local database yet).
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BENCH_CLASSES } from '../../scripts/lib/bench-classes'
import { GLOBAL_MIDDLEWARE } from '../../src/app'
import { freshCopy } from './helpers/processes'

let copy: ReturnType<typeof freshCopy>

type Outcome = { status: number | null; stdout: string; stderr: string }

/** `npm run -s <script> -- args` in the copy; asynchronous, so a server in this process can answer it. */
function run(script: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const child = spawn('npm', ['run', '-s', script, '--', ...args], {
    cwd: copy.dir,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      ...options.env,
    },
  })
  const outcome: Outcome = { status: null, stdout: '', stderr: '' }
  child.stdout.on('data', (chunk) => {
    outcome.stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    outcome.stderr += chunk
  })
  child.stdin.end(options.input ?? '')
  return new Promise<Outcome>((done) =>
    child.on('close', (status) => {
      outcome.status = status
      done(outcome)
    }),
  )
}

/** Some server that is up (stripe:simulate checks for one before it looks the order up). */
async function listening(): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => response.end('ok'))
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return { server, url: `http://127.0.0.1:${address.port}` }
}

/** A port nothing listens on (one the system just handed out and took back). */
async function freePort(): Promise<string> {
  const free = await listening()
  await new Promise((done) => free.server.close(done))
  return free.url.split(':').at(-1)!
}

const JWT_LINE = /^[\w-]+\.[\w-]+\.[\w-]+\n$/
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m

/** A failure the user can act on: exit 1, nothing on stdout, one sentence naming the script, no stack. */
function expectOneSentenceFailure(outcome: Outcome, script: string, says: RegExp) {
  expect(outcome.status).toBe(1)
  expect(outcome.stdout).toBe('')
  const lines = outcome.stderr.trimEnd().split('\n')
  expect(lines.at(-1)).toMatch(new RegExp(`^${script}: `))
  expect(lines.at(-1)).toMatch(says)
  expect(outcome.stderr).not.toMatch(STACK_FRAME)
}

beforeAll(() => {
  copy = freshCopy()
})
afterAll(() => copy?.remove())

describe('scripts: result on stdout, diagnostics on stderr', () => {
  it('token refuses to run without .dev.vars, in one sentence', async () => {
    expectOneSentenceFailure(await run('token', ['--role', 'admin']), 'token', /npm run dev/)
  })

  it('admin:create reads the password from stdin and prints one line; the password appears nowhere', async () => {
    const password = 'a long admin passphrase'
    const created = await run('admin:create', ['--email', 'ops@example.com', '--password-stdin'], {
      input: password,
    })
    expect(created.status, created.stderr).toBe(0)
    expect(created.stdout).toMatch(/^created ops@example\.com \(usr_\w+\) as admin[^\n]*\n$/)
    expect(created.stdout + created.stderr).not.toContain(password)
    // wrangler's "Using secrets defined in .dev.vars" is a diagnostic: stderr, never stdout.
    expect(created.stdout).not.toMatch(/Using secrets/)

    const promoted = await run('admin:create', ['--email', 'ops@example.com'])
    expect(promoted.status, promoted.stderr).toBe(0)
    expect(promoted.stdout).toMatch(/^ops@example\.com \(usr_\w+\) is now an admin; password unchanged\n$/)
  })

  it('admin:create refuses a missing or weak password in one sentence', async () => {
    expectOneSentenceFailure(
      await run('admin:create', ['--email', 'new@example.com']),
      'admin:create',
      /password-stdin/,
    )
    expectOneSentenceFailure(
      await run('admin:create', ['--email', 'new@example.com', '--password-stdin'], { input: 'short' }),
      'admin:create',
      /--password: /,
    )
  })

  it('admin:create --print-sql prints exactly one SQL statement', async () => {
    const sql = await run('admin:create', ['--email', 'ops@example.com', '--password-stdin', '--print-sql'], {
      input: 'a long admin passphrase\n',
      env: { PASSWORD_PEPPER: 'a-production-pepper' },
    })
    expect(sql.status, sql.stderr).toBe(0)
    expect(sql.stdout).toMatch(/^INSERT INTO users [^\n]+;\n$/)
  })

  it('token --email prints exactly one token line, token --role too', async () => {
    const session = await run('token', ['--email', 'ops@example.com'])
    expect(session.status, session.stderr).toBe(0)
    expect(session.stdout).toMatch(JWT_LINE)
    const stateless = await run('token', ['--role', 'admin'])
    expect(stateless.status, stateless.stderr).toBe(0)
    expect(stateless.stdout).toMatch(JWT_LINE)
    expectOneSentenceFailure(
      await run('token', ['--email', 'nobody@example.com']),
      'token',
      /No local account/,
    )
  })

  it('db:seed prints one line', async () => {
    const seeded = await run('db:seed', ['--count', '3'])
    expect(seeded.status, seeded.stderr).toBe(0)
    expect(seeded.stdout).toMatch(/^done in \d+ ms; the catalog has \d+ books\n$/)
    expectOneSentenceFailure(await run('db:seed', ['--count', '0']), 'db:seed', /--count/)
  })

  it('stripe:simulate fails in one sentence without a server, an order or valid options', async () => {
    expectOneSentenceFailure(
      await run('stripe:simulate', ['--order', 'ord_unknown']),
      'stripe:simulate',
      /npm run dev/,
    )
    const closed = await listening()
    await new Promise((done) => closed.server.close(done))
    expectOneSentenceFailure(
      await run('stripe:simulate', ['--order', 'ord_unknown', '--url', closed.url]),
      'stripe:simulate',
      /No server answers at http:\/\/127\.0\.0\.1:\d+/,
    )
    // A stale .wrangler/dev-url (the server has stopped) is the same sentence.
    mkdirSync(join(copy.dir, '.wrangler'), { recursive: true })
    writeFileSync(join(copy.dir, '.wrangler/dev-url'), `${closed.url}\n`)
    expectOneSentenceFailure(
      await run('stripe:simulate', ['--order', 'ord_unknown']),
      'stripe:simulate',
      /No server answers/,
    )
    rmSync(join(copy.dir, '.wrangler/dev-url'))
    const up = await listening()
    expectOneSentenceFailure(
      await run('stripe:simulate', ['--order', 'ord_unknown', '--url', up.url]),
      'stripe:simulate',
      /No order ord_unknown/,
    )
    await new Promise((done) => up.server.close(done))
    expectOneSentenceFailure(
      await run('stripe:simulate', ['--order', 'x']),
      'stripe:simulate',
      /--order ord_/,
    )
    expectOneSentenceFailure(
      await run('stripe:simulate', ['--order', 'ord_x', '--type', 'nope']),
      'stripe:simulate',
      /--type must be one of/,
    )
  })
})

// Last: it writes .dev.vars, which the token test above expects to be missing.
describe('bench', () => {
  it('--smoke serves the bundle in workerd, measures every registered class and prints the targets', async () => {
    const port = await freePort()
    const outcome = await run('bench', [
      '--smoke',
      '--seconds',
      '1',
      '--port',
      port,
      '--out',
      '.tmp/smoke.json',
    ])
    expect(outcome.status, outcome.stderr).toBe(0)
    type Row = {
      id: string
      unavailable?: string
      requestsPerSecond: number
      errors: number
      ratioToCeiling: number
      roundTrips?: number
      cpu: { appMs: number; sqliteMs: number }
    }
    const report = JSON.parse(readFileSync(join(copy.dir, '.tmp/smoke.json'), 'utf8')) as {
      runtime: string
      rows: Row[]
      targets: { target: string; met: boolean | null }[]
      fanout: { result: { sockets: number; writes: number; delivered: number; p99Ms: number } }
    }
    expect(report.runtime).toMatch(/^workerd via Miniflare/)
    expect(report.rows.map((row) => row.id)).toEqual(BENCH_CLASSES.map((entry) => entry.id))
    // This branch has every route the registry names: nothing is n/a, every class answered 2xx only.
    for (const row of report.rows) {
      expect(row.unavailable, row.id).toBeUndefined()
      expect(row.requestsPerSecond, row.id).toBeGreaterThan(0)
      expect(row.errors, row.id).toBe(0)
      expect(row.ratioToCeiling, row.id).toBeGreaterThan(0)
      expect(row.cpu.appMs, row.id).toBeGreaterThan(0)
      if (!row.id.startsWith('bare')) expect(row.roundTrips, row.id).toBeTypeOf('number')
    }
    // The catalog reads query D1 through the app's own Server-Timing count.
    expect(report.rows.find((row) => row.id === 'page1-uncached')?.roundTrips).toBeGreaterThan(0)
    expect(report.rows.find((row) => row.id === 'page1-uncached')?.cpu.sqliteMs).toBeGreaterThan(0)
    expect(report.targets.map((check) => check.target)).toContain('zero errors')
    // The fan-out class on the same runtime: --smoke opens 50 sockets, each gets the one write's event once.
    expect(report.fanout.result).toMatchObject({ sockets: 50, writes: 1, delivered: 50 })
    expect(report.fanout.result.p99Ms).toBeGreaterThan(0)
    expect(report.targets).toContainEqual({
      target: 'fan-out: every socket got the event exactly once',
      met: true,
      detail: expect.any(String),
    })
    const lines = outcome.stdout.split('\n').filter((line) => /^(PASS|FAIL|n\/a) /.test(line))
    expect(lines).toHaveLength(report.targets.length)
  })

  it('--cpu-evict-mib and --cpu-replay change the probe and say so in the report', async () => {
    const port = await freePort()
    const args = ['--smoke', '--seconds', '1', '--only', 'page1-uncached', '--sockets', '0', '--port', port]
    const outcome = await run('bench', [
      ...args,
      '--cpu-evict-mib',
      '16',
      '--cpu-replay',
      '--out',
      '.tmp/evict.json',
    ])
    expect(outcome.status, outcome.stderr).toBe(0)
    const report = JSON.parse(readFileSync(join(copy.dir, '.tmp/evict.json'), 'utf8')) as {
      notes: string[]
      rows: { id: string; cpu: { sqliteMs: number } }[]
    }
    expect(report.notes.at(-2)).toMatch(/^--cpu-evict-mib 16: every libSQL call also walked/)
    expect(report.notes.at(-1)).toMatch(/^--cpu-replay: /)
    expect(report.rows.find((row) => row.id === 'page1-uncached')?.cpu.sqliteMs).toBeGreaterThan(0)
  })
})

describe('profilers', () => {
  /** One short run of a profiler on the smoke catalog. */
  const profile = async (script: string, args: string[]) =>
    run(script, [...args, '--seconds', '1', '--books', '200', '--port', await freePort()])
  const number = '(-?\\d+(?:\\.\\d+)?)'

  it('profile:middleware measures Folio, its full copy and a copy without each global middleware', async () => {
    const outcome = await profile('profile:middleware', ['--class', 'noop', '--rounds', '1'])
    expect(outcome.status, outcome.stderr).toBe(0)
    expect(outcome.stdout).toContain('# no-op route')
    const workers = [
      'bare worker',
      'Folio',
      'copy',
      'without-all',
      ...GLOBAL_MIDDLEWARE.map((name) => `without-${name}`),
    ]
    for (const worker of workers) {
      // | worker | req/s | × bare | workerd CPU ms | CPU over bare | cost |
      const row = new RegExp(
        `^\\| ${worker} \\| ${number} \\| ${number} \\| ${number} \\| ${number} \\| (–|${number}) \\|$`,
        'm',
      )
      const match = row.exec(outcome.stdout)
      expect(match, worker).not.toBeNull()
      expect(Number(match![1]), worker).toBeGreaterThan(0)
      expect(Number(match![3]), worker).toBeGreaterThan(0)
    }
  })

  it('profile:workerd profiles the isolate under one class and splits its time by source file', async () => {
    const outcome = await profile('profile:workerd', ['--class', 'page1-cached'])
    expect(outcome.status, outcome.stderr).toBe(0)
    const busy = new RegExp(`Folio's isolate: busy ${number} ms per request`).exec(outcome.stdout)
    expect(Number(busy?.[1])).toBeGreaterThan(0)
    expect(outcome.stdout).toMatch(new RegExp(`The workerd process: ${number} ms of CPU per request`))
    // Folio's own middleware shows up by source file (the bundle's module comments).
    expect(outcome.stdout).toMatch(/^\| src\/middleware\/[\w-]+\.ts \| \d/m)
  })
})
