import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { harness } from '#harness'
import { client, uniqueEmail, uniqueIp } from './helpers/accounts'
import { json } from './helpers/http'
import { createUser } from './helpers/tokens'

/** Every line the app writes to the console while `run` runs. */
async function consoleDuring(run: () => Promise<void>): Promise<string> {
  const lines: string[] = []
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.join(' '))),
  )
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return lines.join('\n')
}

// A real database failure, not a mock: triggers make inserts into a table fail, as a broken table would.
const TABLES = ['login_attempts', 'mail_outbox']
const fail = (table: string) =>
  sql.raw(
    `CREATE TRIGGER test_fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
  )
const unfail = (table: string) => sql.raw(`DROP TRIGGER IF EXISTS test_fail_${table}`)

const post = (path: string, body: unknown, ip: string, options: { method?: string; token?: string } = {}) =>
  // In-process in both runtimes (the app runs in the test's isolate), so the console is the app's.
  harness.requestWithEnv(
    path,
    {
      method: options.method ?? 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...client(ip),
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify(body),
    },
    {},
  )

describe('a database error', () => {
  beforeEach(async () => {
    for (const table of TABLES) await harness.db().run(fail(table))
  })
  afterEach(async () => {
    for (const table of TABLES) await harness.db().run(unfail(table))
  })

  it('is logged by kind and statement shape, never with its bound values; the answer is a generic 500', async () => {
    // An email change re-checks the password, which first reserves an attempt: one INSERT into login_attempts.
    const customer = await createUser('customer')
    const email = uniqueEmail('leak-probe')
    const ip = uniqueIp()
    let response: Response | undefined
    const output = await consoleDuring(async () => {
      response = await post('/v1/me', { email, password: 'some wrong password' }, ip, {
        method: 'PATCH',
        token: customer.token,
      })
    })
    expect(response!.status).toBe(500)
    expect(response!.headers.get('Content-Type')).toBe('application/problem+json')
    const body = await json(response!)
    expect(body).toMatchObject({ title: 'Internal server error', status: 500 })
    expect(JSON.stringify(body)).not.toMatch(/login_attempts|insert|forced|leak-probe/i)

    // The failure is logged, usefully: kind, driver code, the statement's shape and a fingerprint.
    const line = output.split('\n').find((text) => text.includes('"unhandled error"'))
    expect(line).toBeDefined()
    const logged = JSON.parse(line!)
    expect(logged).toMatchObject({
      level: 'error',
      errorKind: 'database',
      statement: expect.stringMatching(/^insert into "login_attempts"/i),
      statementFingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
    })
    // …and nothing the request carried: not the email (or any part of it), not the IP.
    expect(output).not.toContain(email)
    expect(output).not.toContain(email.split('@')[0])
    expect(output).not.toContain(ip)
    expect(output).not.toMatch(/params:/)
  })

  it('in a batch too (register: user, token and mail in one batch)', async () => {
    const email = uniqueEmail('leak-probe')
    const name = `Probe ${crypto.randomUUID().slice(0, 8)}`
    let response: Response | undefined
    const output = await consoleDuring(async () => {
      response = await post(
        '/v1/auth/register',
        { email, password: 'a long enough passphrase', name },
        uniqueIp(),
      )
    })
    expect(response!.status).toBe(500)
    expect(JSON.stringify(await json(response!))).not.toMatch(/mail_outbox|leak-probe|forced/i)
    const line = output.split('\n').find((text) => text.includes('"unhandled error"'))
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', errorKind: 'database' })
    expect(output).not.toContain(email.split('@')[0])
    expect(output).not.toContain(name)
    expect(output).not.toMatch(/params:/)
  })
})
