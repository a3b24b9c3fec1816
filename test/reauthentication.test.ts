import { Secret, TOTP } from 'otpauth'
import { describe, expect, it } from 'vitest'
import { client, login, PASSWORD, signedIn, uniqueEmail, uniqueIp } from './helpers/accounts'
import { api, json } from './helpers/http'

const WRONG = 'not my password at all'

/** The four routes that re-check the password of a signed-in user, and a body for each given that password. */
const RECHECKS: { route: string; method: string; path: string; body: (password: string) => object }[] = [
  {
    route: 'PATCH /v1/me (email change)',
    method: 'PATCH',
    path: '/v1/me',
    body: (password) => ({ email: uniqueEmail('moved'), password }),
  },
  {
    route: 'POST /v1/me/password',
    method: 'POST',
    path: '/v1/me/password',
    body: (password) => ({ currentPassword: password, newPassword: 'another fine passphrase' }),
  },
  {
    route: 'DELETE /v1/me/mfa/totp',
    method: 'DELETE',
    path: '/v1/me/mfa/totp',
    body: (password) => ({ password, code: '123456' }),
  },
  { route: 'DELETE /v1/me', method: 'DELETE', path: '/v1/me', body: (password) => ({ password }) },
]

describe.each(RECHECKS)('$route counts wrong passwords with the login failures', ({ method, path, body }) => {
  it('5 wrong → 429 with Retry-After, even with the right password, for sign-in too; each failure is an event', async () => {
    const { email, ip, tokens } = await signedIn()
    const as = { token: tokens.accessToken, headers: client(ip) }
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await api(method, path, { ...as, body: body(WRONG) })
      expect(wrong.status).toBe(403)
    }
    const locked = await api(method, path, { ...as, body: body(PASSWORD) })
    expect(locked.status).toBe(429)
    expect(locked.headers.get('Content-Type')).toBe('application/problem+json')
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0)
    // The same lockout as sign-in: the account cannot sign in either (from anywhere) until it ends.
    expect((await login(email, PASSWORD, client(uniqueIp()))).status).toBe(429)
    // Nothing changed, and the user can see what happened.
    const events = await json(await api('GET', '/v1/me/security-events', as))
    const failures = events.data.filter((event: { type: string }) => event.type === 'reauthentication_failed')
    expect(failures).toHaveLength(5)
    expect(failures[0]).toMatchObject({ ip, device: 'Firefox on macOS' })
    expect(await json(await api('GET', '/v1/me', as))).toMatchObject({ email })
  })

  it('is refused while the IP is locked by failures on other accounts', async () => {
    const { ip, tokens } = await signedIn()
    for (let attempt = 0; attempt < 30; attempt++) {
      await login(uniqueEmail('spray'), WRONG, client(ip))
    }
    const response = await api(method, path, {
      token: tokens.accessToken,
      headers: client(ip),
      body: body(PASSWORD),
    })
    expect(response.status).toBe(429)
    expect(response.headers.get('Retry-After')).toBeTruthy()
  })
})

describe('DELETE /v1/me/mfa/totp counts wrong codes too', () => {
  it('5 wrong codes with the right password → 429', async () => {
    const { ip, tokens } = await signedIn()
    const as = { token: tokens.accessToken, headers: client(ip) }
    const { secret } = await json(await api('POST', '/v1/me/mfa/totp', as))
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) })
    const confirmed = await api('POST', '/v1/me/mfa/totp/confirm', { ...as, body: { code: totp.generate() } })
    expect(confirmed.status).toBe(200)
    // A six-digit code that no step of the server's ±1 window accepts.
    const valid = new Set([-1, 0, 1].map((step) => totp.generate({ timestamp: Date.now() + step * 30_000 })))
    const wrongCode = ['111111', '222222', '333333', '444444'].find((code) => !valid.has(code))!
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await api('DELETE', '/v1/me/mfa/totp', {
        ...as,
        body: { password: PASSWORD, code: wrongCode },
      })
      expect(wrong.status).toBe(403)
    }
    const locked = await api('DELETE', '/v1/me/mfa/totp', {
      ...as,
      body: { password: PASSWORD, code: totp.generate() },
    })
    expect(locked.status).toBe(429)
  })
})

describe('parallel guesses share one count (the check and the record are one conditional insert)', () => {
  it('POST /v1/me/password: of 15 wrong passwords sent at once at most 5 are checked, the rest 429', async () => {
    const { ip, tokens } = await signedIn()
    const as = { token: tokens.accessToken, headers: client(ip) }
    const body = { currentPassword: WRONG, newPassword: 'another fine passphrase' }
    const statuses = (
      await Promise.all(Array.from({ length: 15 }, () => api('POST', '/v1/me/password', { ...as, body })))
    ).map((response) => response.status)
    expect(statuses.filter((status) => status === 403).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((status) => status !== 403 && status !== 429)).toEqual([])
    // The right password after the burst: still locked.
    const right = { currentPassword: PASSWORD, newPassword: 'another fine passphrase' }
    expect((await api('POST', '/v1/me/password', { ...as, body: right })).status).toBe(429)
  })

  it('POST /v1/auth/login: of 15 wrong passwords from 15 addresses at once at most 5 are checked', async () => {
    const { email } = await signedIn()
    const statuses = (
      await Promise.all(Array.from({ length: 15 }, () => login(email, WRONG, client(uniqueIp()))))
    ).map((response) => response.status)
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([])
    expect((await login(email, PASSWORD, client(uniqueIp()))).status).toBe(429)
  })
})
