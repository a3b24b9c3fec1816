import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { harness } from '#harness'
import { client, uniqueEmail, uniqueIp } from './helpers/accounts'
import { json } from './helpers/http'

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

// A real database failure, not a mock: a trigger makes every login-attempt insert fail, as a broken table would.
const FAIL = sql.raw(
  "CREATE TRIGGER test_fail_login_attempts BEFORE INSERT ON login_attempts BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
)
const UNFAIL = sql.raw('DROP TRIGGER IF EXISTS test_fail_login_attempts')

describe('a database error', () => {
  beforeEach(async () => {
    await harness.db().run(FAIL)
  })
  afterEach(async () => {
    await harness.db().run(UNFAIL)
  })

  it('is logged by kind and statement shape, never with its bound values; the answer is a generic 500', async () => {
    const email = uniqueEmail('leak-probe')
    const ip = uniqueIp()
    let response: Response | undefined
    const output = await consoleDuring(async () => {
      // In-process in both runtimes (the app runs in the test's isolate), so the console is the app's.
      response = await harness.requestWithEnv(
        '/v1/auth/login',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...client(ip) },
          body: JSON.stringify({ email, password: 'some wrong password' }),
        },
        {},
      )
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
      statement: expect.stringMatching(/^insert into "login_attempts"/),
      statementFingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
    })
    // …and nothing the request carried: not the email (or any part of it), not the IP.
    expect(output).not.toContain(email)
    expect(output).not.toContain(email.split('@')[0])
    expect(output).not.toContain(ip)
    expect(output).not.toMatch(/params:/)
  })
})
