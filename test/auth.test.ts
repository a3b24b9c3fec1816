import { eq, inArray } from 'drizzle-orm'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { sessions } from '../src/db/schema'
import { pruneIdentityData } from '../src/features/auth/maintenance'
import {
  client,
  login,
  PASSWORD,
  register,
  signedIn,
  tokenFromMail,
  uniqueEmail,
  uniqueIp,
} from './helpers/accounts'
import { api, json } from './helpers/http'

describe('POST /v1/auth/register', () => {
  it('creates a customer with a normalised email and mails a verification link', async () => {
    const email = uniqueEmail()
    const response = await api('POST', '/v1/auth/register', {
      body: { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: 'Ada', phone: '+4915123456789' },
    })
    expect(response.status).toBe(201)
    const user = await json(response)
    expect(user).toMatchObject({
      email,
      name: 'Ada',
      phone: '+4915123456789',
      role: 'customer',
      emailVerified: false,
    })
    expect(user.id).toMatch(/^usr_/)
    expect(user).not.toHaveProperty('passwordHash')
    expect(await tokenFromMail(email, /confirm your email/i)).toBeTruthy()
  })

  it('rejects mass assignment of role (OWASP API3): 422 and no account', async () => {
    const email = uniqueEmail()
    const response = await api('POST', '/v1/auth/register', {
      body: { email, password: PASSWORD, name: 'Mallory', role: 'admin' },
    })
    expect(response.status).toBe(422)
    expect((await json(response)).errors).toContainEqual({
      pointer: '/body/role',
      detail: 'Unknown field: role',
    })
    expect((await login(email, PASSWORD)).status).toBe(401)
  })

  it('applies NIST rules: 8+ characters, long passphrases, no common passwords, E.164 phone', async () => {
    const short = await api('POST', '/v1/auth/register', {
      body: { email: uniqueEmail(), password: 'short', name: 'A' },
    })
    expect(short.status).toBe(422)
    const common = await api('POST', '/v1/auth/register', {
      body: { email: uniqueEmail(), password: 'Password123', name: 'A' },
    })
    expect(common.status).toBe(422)
    expect((await json(common)).errors[0]).toMatchObject({ pointer: '/body/password' })
    const phone = await api('POST', '/v1/auth/register', {
      body: { email: uniqueEmail(), password: PASSWORD, name: 'A', phone: '0151 2345' },
    })
    expect(phone.status).toBe(422)
    await register({ password: `${'x'.repeat(64)} no composition rules` })
  })

  it('answers 409 for a registered email, whatever its case', async () => {
    const { email } = await register()
    const again = await api('POST', '/v1/auth/register', {
      body: { email: email.toUpperCase(), password: PASSWORD, name: 'B' },
    })
    expect(again.status).toBe(409)
  })
})

describe('POST /v1/auth/verify-email', () => {
  it('verifies with the mailed single-use token', async () => {
    const { email, password } = await register()
    const token = await tokenFromMail(email, /confirm your email/i)
    expect((await api('POST', '/v1/auth/verify-email', { body: { token } })).status).toBe(204)
    expect((await api('POST', '/v1/auth/verify-email', { body: { token } })).status).toBe(400)
    const { accessToken } = await json(await login(email, password))
    expect((await json(await api('GET', '/v1/me', { token: accessToken }))).emailVerified).toBe(true)
  })

  it('rejects an unknown token', async () => {
    const response = await api('POST', '/v1/auth/verify-email', { body: { token: 'not-a-real-token' } })
    expect(response.status).toBe(400)
  })
})

describe('POST /v1/auth/login', () => {
  it('answers an ES256 access token (≤ 15 min) and an opaque refresh token', async () => {
    const { email, password, user } = await register()
    const response = await login(email, password)
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const tokens = await json(response)
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 })
    expect(tokens.refreshToken.length).toBeGreaterThanOrEqual(43)
    const [header, payload] = [decodeProtectedHeader(tokens.accessToken), decodeJwt(tokens.accessToken)]
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' })
    expect(header.kid).toBeTruthy()
    expect(payload).toMatchObject({ sub: user.id, role: 'customer', aud: 'folio-api' })
    expect(payload.sid).toMatch(/^ses_/)
    expect(payload.jti).toBeTruthy()
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(900)
  })

  it('answers a wrong password and an unknown email identically (no enumeration)', async () => {
    const { email } = await register()
    const wrong = await login(email, 'not the password at all')
    const unknown = await login(uniqueEmail('nobody'), 'not the password at all')
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const strip = ({ requestId: _id, ...rest }: Record<string, unknown>) => rest
    expect(strip(await json(wrong))).toEqual(strip(await json(unknown)))
  })

  it('locks an account after 5 failures: 429 with Retry-After, even with the right password', async () => {
    const { email, password } = await register()
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await login(email, 'wrong password guess', client(uniqueIp()))).status).toBe(401)
    }
    const locked = await login(email, password, client(uniqueIp()))
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0)
    // An unknown email gets the same treatment, so the lockout reveals nothing either.
    const ghost = uniqueEmail('ghost')
    for (let attempt = 0; attempt < 5; attempt++) await login(ghost, 'wrong password guess')
    expect((await login(ghost, 'wrong password guess')).status).toBe(429)
  })

  it('limits failures per IP across accounts', async () => {
    const ip = uniqueIp()
    for (let attempt = 0; attempt < 30; attempt++) {
      await login(uniqueEmail('spray'), 'wrong password guess', client(ip))
    }
    const { email, password } = await register()
    const blocked = await login(email, password, client(ip))
    expect(blocked.status).toBe(429)
    expect(blocked.headers.get('Retry-After')).toBeTruthy()
    expect((await login(email, password, client(uniqueIp()))).status).toBe(200)
  })
})

describe('POST /v1/auth/refresh', () => {
  it('rotates: the new pair works and the old refresh token stops working', async () => {
    const { tokens } = await signedIn()
    const rotated = await api('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })
    expect(rotated.status).toBe(200)
    const next = await json(rotated)
    expect(next.refreshToken).not.toBe(tokens.refreshToken)
    expect((await api('GET', '/v1/me', { token: next.accessToken })).status).toBe(200)
    const again = await api('POST', '/v1/auth/refresh', { body: { refreshToken: next.refreshToken } })
    expect(again.status).toBe(200)
  })

  it('detects reuse (RFC 9700): a used token revokes the whole session', async () => {
    const { email, password, tokens } = await signedIn()
    const first = await json(
      await api('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } }),
    )
    const replay = await api('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })
    expect(replay.status).toBe(401)
    // The thief's or the victim's newer token is dead too, and so are the session's access tokens.
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: first.refreshToken } })).status,
    ).toBe(401)
    expect((await api('GET', '/v1/me', { token: first.accessToken })).status).toBe(401)
    const fresh = await json(await login(email, password))
    const events = await json(await api('GET', '/v1/me/security-events', { token: fresh.accessToken }))
    expect(events.data.map((event: { type: string }) => event.type)).toContain('refresh_token_reuse')
  })

  it('lets exactly one of two racing refreshes win; the loser counts as reuse', async () => {
    const { tokens } = await signedIn()
    const body = { refreshToken: tokens.refreshToken }
    const responses = await Promise.all([
      api('POST', '/v1/auth/refresh', { body }),
      api('POST', '/v1/auth/refresh', { body }),
    ])
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401])
    const winner = await json(responses.find((response) => response.status === 200)!)
    // Strict RFC 9700 reuse detection: the whole family is revoked, the winner's new token included.
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: winner.refreshToken } })).status,
    ).toBe(401)
  })

  it('rejects an unknown or missing refresh token', async () => {
    expect((await api('POST', '/v1/auth/refresh', { body: { refreshToken: 'nope' } })).status).toBe(401)
    expect((await api('POST', '/v1/auth/refresh', { body: {} })).status).toBe(401)
  })
})

describe('POST /v1/auth/logout', () => {
  it('ends the session: refresh and /v1/me stop working', async () => {
    const { tokens } = await signedIn()
    expect(
      (await api('POST', '/v1/auth/logout', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(204)
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(401)
    expect((await api('GET', '/v1/me', { token: tokens.accessToken })).status).toBe(401)
  })
})

describe('refresh token cookie (browsers)', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict cookie on /v1/auth and refreshes from it', async () => {
    const { email, password } = await register()
    const response = await api('POST', '/v1/auth/login', {
      body: { email, password, cookie: true },
      headers: client(uniqueIp()),
    })
    expect(response.status).toBe(200)
    expect(await json(response)).not.toHaveProperty('refreshToken')
    const cookie = response.headers.get('Set-Cookie')!
    expect(cookie).toMatch(/^__Secure-folio_refresh=/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('Secure')
    expect(cookie).toContain('SameSite=Strict')
    expect(cookie).toContain('Path=/v1/auth')
    const pair = cookie.split(';')[0]!
    const refreshed = await api('POST', '/v1/auth/refresh', { headers: { Cookie: pair } })
    expect(refreshed.status).toBe(200)
    expect(refreshed.headers.get('Set-Cookie')).toMatch(/^__Secure-folio_refresh=/)
    const crossSite = await api('POST', '/v1/auth/refresh', {
      headers: { Cookie: pair, Origin: 'https://evil.example' },
    })
    expect(crossSite.status).toBe(403)
  })
})

describe('password reset', () => {
  it('answers 202 for known and unknown emails alike', async () => {
    const { email } = await register()
    const known = await api('POST', '/v1/auth/password-reset', { body: { email } })
    const unknown = await api('POST', '/v1/auth/password-reset', { body: { email: uniqueEmail('nobody') } })
    expect(known.status).toBe(202)
    expect(unknown.status).toBe(202)
    expect(await known.text()).toBe(await unknown.text())
  })

  it('sets a new password with the single-use token and signs out every session', async () => {
    const { email, tokens } = await signedIn()
    await api('POST', '/v1/auth/password-reset', { body: { email } })
    const token = await tokenFromMail(email, /reset your password/i)
    const newPassword = 'a brand new passphrase'
    const confirmed = await api('POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword } })
    expect(confirmed.status).toBe(204)
    expect(
      (await api('POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword } })).status,
    ).toBe(400)
    expect((await api('GET', '/v1/me', { token: tokens.accessToken })).status).toBe(401)
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(401)
    expect((await login(email, PASSWORD)).status).toBe(401)
    expect((await login(email, newPassword)).status).toBe(200)
  })
})

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public keys only', async () => {
    const response = await api('GET', '/.well-known/jwks.json')
    expect(response.status).toBe(200)
    const { keys } = await json(response)
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'test-key-1', alg: 'ES256' })
    expect(keys[0]).not.toHaveProperty('d')
  })
})

describe('identity maintenance (cron)', () => {
  it('drops sessions that ended over a week ago, with their refresh tokens; keeps live ones', async () => {
    const live = await signedIn()
    const ended = await signedIn()
    await api('POST', '/v1/auth/logout', { body: { refreshToken: ended.tokens.refreshToken } })
    const db = harness.db()
    // Backdate the logout (rather than run the prune in the future, which would touch other tests' rows).
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000)
    await db.update(sessions).set({ revokedAt: eightDaysAgo }).where(eq(sessions.userId, ended.user.id))
    await pruneIdentityData(db)
    const remaining = await db
      .select()
      .from(sessions)
      .where(inArray(sessions.userId, [live.user.id, ended.user.id]))
    expect(remaining.map((session) => session.userId)).toEqual([live.user.id])
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: live.tokens.refreshToken } })).status,
    ).toBe(200)
  })
})
