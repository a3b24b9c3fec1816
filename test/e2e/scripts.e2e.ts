// Every `npm run -s <script>` prints its result alone on stdout and everything else on stderr, so
// `TOKEN=$(npm run -s token -- --email …)` captures exactly the token; a failure is one sentence, no stack trace.
// Runs the real scripts in a fresh copy of the project (no .dev.vars, no local database yet).
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshCopy } from './helpers/processes'

let copy: ReturnType<typeof freshCopy>

function run(script: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const outcome = spawnSync('npm', ['run', '-s', script, '--', ...args], {
    cwd: copy.dir,
    input: options.input ?? '',
    encoding: 'utf8',
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      ...options.env,
    },
  })
  return { status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr }
}

const JWT_LINE = /^[\w-]+\.[\w-]+\.[\w-]+\n$/
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m

/** A failure the user can act on: exit 1, nothing on stdout, one sentence naming the script, no stack. */
function expectOneSentenceFailure(outcome: ReturnType<typeof run>, script: string, says: RegExp) {
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
  it('token refuses to run without .dev.vars, in one sentence', () => {
    expectOneSentenceFailure(run('token', ['--role', 'admin']), 'token', /npm run dev/)
  })

  it('admin:create reads the password from stdin and prints one line; the password appears nowhere', () => {
    const password = 'a long admin passphrase'
    const created = run('admin:create', ['--email', 'ops@example.com', '--password-stdin'], {
      input: password,
    })
    expect(created.status, created.stderr).toBe(0)
    expect(created.stdout).toMatch(/^created ops@example\.com \(usr_\w+\) as admin[^\n]*\n$/)
    expect(created.stdout + created.stderr).not.toContain(password)
    // wrangler's "Using secrets defined in .dev.vars" is a diagnostic: stderr, never stdout.
    expect(created.stdout).not.toMatch(/Using secrets/)

    const promoted = run('admin:create', ['--email', 'ops@example.com'])
    expect(promoted.status, promoted.stderr).toBe(0)
    expect(promoted.stdout).toMatch(/^ops@example\.com \(usr_\w+\) is now an admin; password unchanged\n$/)
  })

  it('admin:create refuses a missing or weak password in one sentence', () => {
    expectOneSentenceFailure(
      run('admin:create', ['--email', 'new@example.com']),
      'admin:create',
      /password-stdin/,
    )
    expectOneSentenceFailure(
      run('admin:create', ['--email', 'new@example.com', '--password-stdin'], { input: 'short' }),
      'admin:create',
      /--password: /,
    )
  })

  it('admin:create --print-sql prints exactly one SQL statement', () => {
    const sql = run('admin:create', ['--email', 'ops@example.com', '--password-stdin', '--print-sql'], {
      input: 'a long admin passphrase\n',
      env: { PASSWORD_PEPPER: 'a-production-pepper' },
    })
    expect(sql.status, sql.stderr).toBe(0)
    expect(sql.stdout).toMatch(/^INSERT INTO users [^\n]+;\n$/)
  })

  it('token --email prints exactly one token line, token --role too', () => {
    const session = run('token', ['--email', 'ops@example.com'])
    expect(session.status, session.stderr).toBe(0)
    expect(session.stdout).toMatch(JWT_LINE)
    const stateless = run('token', ['--role', 'admin'])
    expect(stateless.status, stateless.stderr).toBe(0)
    expect(stateless.stdout).toMatch(JWT_LINE)
    expectOneSentenceFailure(run('token', ['--email', 'nobody@example.com']), 'token', /No local account/)
  })

  it('db:seed prints one line', () => {
    const seeded = run('db:seed', ['--count', '3'])
    expect(seeded.status, seeded.stderr).toBe(0)
    expect(seeded.stdout).toMatch(/^done in \d+ ms; the catalog has \d+ books\n$/)
    expectOneSentenceFailure(run('db:seed', ['--count', '0']), 'db:seed', /--count/)
  })

  it('stripe:simulate fails in one sentence without a server, an order or valid options', () => {
    expectOneSentenceFailure(
      run('stripe:simulate', ['--order', 'ord_unknown']),
      'stripe:simulate',
      /npm run dev/,
    )
    expectOneSentenceFailure(
      run('stripe:simulate', ['--order', 'ord_unknown', '--url', 'http://127.0.0.1:9']),
      'stripe:simulate',
      /No order ord_unknown/,
    )
    expectOneSentenceFailure(run('stripe:simulate', ['--order', 'x']), 'stripe:simulate', /--order ord_/)
    expectOneSentenceFailure(
      run('stripe:simulate', ['--order', 'ord_x', '--type', 'nope']),
      'stripe:simulate',
      /--type must be one of/,
    )
  })
})
