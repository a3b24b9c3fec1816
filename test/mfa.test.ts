import { eq } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { harness } from '#harness'
import { recoveryCodes, totpFactors } from '../src/db/schema'
import { login, PASSWORD, signedIn } from './helpers/accounts'
import { api, json } from './helpers/http'

const totp = (secret: string) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) })
/** The code of a given 30-second step offset: tests use the previous/next step to get distinct valid codes. */
const codeAt = (secret: string, stepOffset = 0) =>
  totp(secret).generate({ timestamp: Date.now() + stepOffset * 30_000 })

/**
 * An injected clock instead of racing the real one: `vi.setSystemTime` mocks `Date` for this file and for the app,
 * which runs in the same isolate in both runtimes (app.request in Node, SELF in workerd). Each test runs frozen in
 * the middle of a 30-second step, so the previous, current and next steps' codes are exactly the ones the
 * server's ±1 window accepts, and no code can straddle a step boundary.
 */
beforeEach(() => {
  vi.setSystemTime(Math.floor(Date.now() / 30_000) * 30_000 + 15_000)
})
afterEach(() => {
  vi.useRealTimers()
})

/** A signed-in user with TOTP confirmed; confirmation used the previous step's code. */
async function withTotp() {
  const account = await signedIn()
  const token = account.tokens.accessToken
  const setup = await api('POST', '/v1/me/mfa/totp', { token })
  expect(setup.status).toBe(200)
  const { secret, otpauthUri } = await json(setup)
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Folio:.+\?/)
  expect(otpauthUri).toContain(`secret=${secret}`)
  const confirmed = await api('POST', '/v1/me/mfa/totp/confirm', {
    token,
    body: { code: codeAt(secret, -1) },
  })
  expect(confirmed.status).toBe(200)
  const { recoveryCodes } = await json(confirmed)
  return { ...account, secret, recoveryCodes: recoveryCodes as string[] }
}

async function mfaChallenge(email: string) {
  const response = await login(email, PASSWORD)
  expect(response.status).toBe(200)
  const body = await json(response)
  expect(body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) })
  return body.mfaToken as string
}

describe('TOTP enrolment', () => {
  it('answers a base32 secret and, on confirmation, 10 recovery codes', async () => {
    const { recoveryCodes, secret } = await withTotp()
    expect(secret).toMatch(/^[A-Z2-7]+=*$/)
    expect(recoveryCodes).toHaveLength(10)
    expect(new Set(recoveryCodes).size).toBe(10)
  })

  it('stores the seed sealed and the recovery codes hashed: the database alone reveals neither', async () => {
    const { user, secret, recoveryCodes: codes } = await withTotp()
    const [factor] = await harness.db().select().from(totpFactors).where(eq(totpFactors.userId, user.id))
    expect(factor!.secret).toMatch(/^v1\./)
    expect(factor!.secret).not.toContain(secret)
    const stored = await harness.db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))
    expect(stored).toHaveLength(10)
    for (const row of stored) expect(codes).not.toContain(row.codeHash)
  })

  it('refuses a wrong confirmation code, and a second enrolment while on', async () => {
    const { tokens } = await signedIn()
    const { secret } = await json(await api('POST', '/v1/me/mfa/totp', { token: tokens.accessToken }))
    const wrong = String((Number(codeAt(secret)) + 1) % 1_000_000).padStart(6, '0')
    expect(
      (await api('POST', '/v1/me/mfa/totp/confirm', { token: tokens.accessToken, body: { code: wrong } }))
        .status,
    ).toBe(422)
    const enrolled = await withTotp()
    expect((await api('POST', '/v1/me/mfa/totp', { token: enrolled.tokens.accessToken })).status).toBe(409)
  })
})

describe('login with two-factor', () => {
  it('asks for a code, then answers tokens for a valid TOTP code', async () => {
    const { email, secret } = await withTotp()
    const mfaToken = await mfaChallenge(email)
    const response = await api('POST', '/v1/auth/login/mfa', { body: { mfaToken, code: codeAt(secret) } })
    expect(response.status).toBe(200)
    const tokens = await json(response)
    expect((await api('GET', '/v1/me', { token: tokens.accessToken })).status).toBe(200)
  })

  it('accepts a TOTP code once only (replay within its window fails)', async () => {
    const { email, secret } = await withTotp()
    const code = codeAt(secret)
    const first = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code },
    })
    expect(first.status).toBe(200)
    const replay = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code },
    })
    expect(replay.status).toBe(401)
    // So is the older code confirmation used (an earlier step than the last accepted).
    const older = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code: codeAt(secret, -1) },
    })
    expect(older.status).toBe(401)
  })

  it('completes one sign-in per challenge: the same mfaToken with another valid code is refused', async () => {
    const { email, recoveryCodes } = await withTotp()
    const mfaToken = await mfaChallenge(email)
    const first = await api('POST', '/v1/auth/login/mfa', { body: { mfaToken, code: recoveryCodes[0] } })
    expect(first.status).toBe(200)
    const replayed = await api('POST', '/v1/auth/login/mfa', { body: { mfaToken, code: recoveryCodes[1] } })
    expect(replayed.status).toBe(401)
    expect((await json(replayed)).detail).toContain('already used')
    // The second recovery code was not the problem: with a fresh challenge it still works.
    const fresh = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code: recoveryCodes[1] },
    })
    expect(fresh.status).toBe(200)
  })

  it('accepts each recovery code once; a wrong one fails', async () => {
    const { email, recoveryCodes } = await withTotp()
    const [code] = recoveryCodes
    const wrong = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code: 'zzzzz-zzzzz' },
    })
    expect(wrong.status).toBe(401)
    const used = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code: code!.toUpperCase() },
    })
    expect(used.status).toBe(200)
    const reused = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: await mfaChallenge(email), code },
    })
    expect(reused.status).toBe(401)
    const { accessToken } = await json(used)
    const events = await json(await api('GET', '/v1/me/security-events', { token: accessToken }))
    expect(events.data.map((event: { type: string }) => event.type)).toContain('recovery_code_used')
  })

  it('never accepts the MFA token as an access token, nor an access token as the MFA token', async () => {
    const { email, tokens, secret } = await withTotp()
    const mfaToken = await mfaChallenge(email)
    expect((await api('GET', '/v1/me', { token: mfaToken })).status).toBe(401)
    expect((await api('GET', '/v1/books', { token: mfaToken })).status).toBe(200) // public route: the token is not used
    const swapped = await api('POST', '/v1/auth/login/mfa', {
      body: { mfaToken: tokens.accessToken, code: codeAt(secret) },
    })
    expect(swapped.status).toBe(401)
  })

  it('throttles wrong codes like wrong passwords', async () => {
    const { email } = await withTotp()
    const mfaToken = await mfaChallenge(email)
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await api('POST', '/v1/auth/login/mfa', { body: { mfaToken, code: '000000' } })).status).toBe(
        401,
      )
    }
    const locked = await api('POST', '/v1/auth/login/mfa', { body: { mfaToken, code: '000000' } })
    expect(locked.status).toBe(429)
  })
})

describe('DELETE /v1/me/mfa/totp', () => {
  it('needs the password and a code; then login needs no second factor', async () => {
    const { email, tokens, secret } = await withTotp()
    const token = tokens.accessToken
    expect(
      (
        await api('DELETE', '/v1/me/mfa/totp', {
          token,
          body: { password: 'wrong one', code: codeAt(secret) },
        })
      ).status,
    ).toBe(403)
    expect(
      (await api('DELETE', '/v1/me/mfa/totp', { token, body: { password: PASSWORD, code: '123456' } }))
        .status,
    ).toBe(403)
    expect(
      (await api('DELETE', '/v1/me/mfa/totp', { token, body: { password: PASSWORD, code: codeAt(secret) } }))
        .status,
    ).toBe(204)
    const plain = await json(await login(email, PASSWORD))
    expect(plain.accessToken).toBeTruthy()
  })
})
