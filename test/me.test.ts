import { eq } from 'drizzle-orm'
import { base64url, decodeJwt, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import {
  addresses,
  cartItems,
  loginAttempts,
  oneTimeTokens,
  orders,
  securityEvents,
  sessions,
  users,
} from '../src/db/schema'
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
import { address, createBook, placeOrder, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'
import { signToken } from './helpers/tokens'

const claimsOf = decodeJwt

describe('GET /v1/me', () => {
  it('answers the signed-in account, privately', async () => {
    const { user, tokens } = await signedIn()
    const response = await api('GET', '/v1/me', { token: tokens.accessToken })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    expect(await json(response)).toEqual(user)
  })

  it('needs a token', async () => {
    const response = await api('GET', '/v1/me')
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toContain('Bearer')
  })
})

describe('forged and misused access tokens on /v1/me', () => {
  async function realSession() {
    const { user, tokens } = await signedIn()
    const { sid } = claimsOf(tokens.accessToken)
    // Control: a token signed like ours for this session works, so each rejection below is the attack's doing.
    expect(
      (await api('GET', '/v1/me', { token: await signToken({ sub: user.id, claims: { sid } }) })).status,
    ).toBe(200)
    return { sub: user.id as string, sid: sid as string }
  }

  const rejected = async (token: string) => (await api('GET', '/v1/me', { token })).status

  it('rejects alg: none', async () => {
    const { sub, sid } = await realSession()
    const now = Math.floor(Date.now() / 1000)
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))
    const payload = base64url.encode(
      JSON.stringify({
        sub,
        sid,
        role: 'admin',
        iss: harness.env.JWT_ISSUER,
        aud: harness.env.JWT_AUDIENCE,
        iat: now,
        exp: now + 300,
      }),
    )
    expect(await rejected(`${header}.${payload}.`)).toBe(401)
  })

  it('rejects a token signed by another key under our kid, and an unknown kid', async () => {
    const { sub, sid } = await realSession()
    const { privateKey } = await generateKeyPair('ES256')
    const forge = (kid: string) =>
      new SignJWT({ role: 'customer', sid })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setSubject(sub)
        .setIssuer(harness.env.JWT_ISSUER)
        .setAudience(harness.env.JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey)
    expect(await rejected(await forge('test-key-1'))).toBe(401)
    expect(await rejected(await forge('unknown-kid'))).toBe(401)
    expect(await rejected(await signToken({ sub, kid: 'unknown-kid', claims: { sid } }))).toBe(401)
  })

  it('rejects expired tokens and the wrong audience or issuer', async () => {
    const { sub, sid } = await realSession()
    expect(
      await rejected(
        await signToken({ sub, claims: { sid }, expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      ),
    ).toBe(401)
    expect(await rejected(await signToken({ sub, claims: { sid }, audience: 'another-api' }))).toBe(401)
    expect(await rejected(await signToken({ sub, claims: { sid }, issuer: 'https://evil.example' }))).toBe(
      401,
    )
  })

  it("rejects a valid signature without a live session (no sid, or someone else's sid)", async () => {
    const { sub } = await realSession()
    const other = await realSession()
    expect(await rejected(await signToken({ sub }))).toBe(401)
    expect(await rejected(await signToken({ sub, claims: { sid: other.sid } }))).toBe(401)
  })
})

describe('PATCH /v1/me', () => {
  it('changes name and phone', async () => {
    const { tokens } = await signedIn()
    const response = await api('PATCH', '/v1/me', {
      token: tokens.accessToken,
      body: { name: 'New Name', phone: '+441632960961' },
    })
    expect(response.status).toBe(200)
    expect(await json(response)).toMatchObject({ name: 'New Name', phone: '+441632960961' })
  })

  it('rejects role and other unknown fields (mass assignment)', async () => {
    const { tokens } = await signedIn()
    const response = await api('PATCH', '/v1/me', { token: tokens.accessToken, body: { role: 'admin' } })
    expect(response.status).toBe(422)
    expect((await json(await api('GET', '/v1/me', { token: tokens.accessToken }))).role).toBe('customer')
  })

  it('an email change needs the password, then verification again', async () => {
    const { tokens, email: oldEmail } = await signedIn()
    const email = uniqueEmail('moved')
    const token = tokens.accessToken
    // A stolen access token alone cannot move the account (and its password resets) to another address.
    expect((await api('PATCH', '/v1/me', { token, body: { email } })).status).toBe(422)
    expect((await api('PATCH', '/v1/me', { token, body: { email, password: 'not it at all' } })).status).toBe(
      403,
    )
    const response = await api('PATCH', '/v1/me', { token, body: { email, password: PASSWORD } })
    expect(response.status).toBe(200)
    expect(await json(response)).toMatchObject({ email, emailVerified: false })
    const link = await tokenFromMail(email, /confirm your email/i)
    expect((await api('POST', '/v1/auth/verify-email', { body: { token: link } })).status).toBe(204)
    expect((await json(await api('GET', '/v1/me', { token }))).emailVerified).toBe(true)
    // The old address's verification link no longer verifies anything.
    const stale = await tokenFromMail(oldEmail, /confirm your email/i)
    expect((await api('POST', '/v1/auth/verify-email', { body: { token: stale } })).status).toBe(400)
  })

  it('mails a new verification link on request, until the address is verified', async () => {
    const { email, tokens } = await signedIn()
    const token = tokens.accessToken
    expect((await api('POST', '/v1/me/email-verification', { token })).status).toBe(202)
    const fresh = await tokenFromMail(email, /confirm your email/i)
    expect((await api('POST', '/v1/auth/verify-email', { body: { token: fresh } })).status).toBe(204)
    expect((await api('POST', '/v1/me/email-verification', { token })).status).toBe(409)
  })

  it('refuses an email that another account uses', async () => {
    const other = await register()
    const { tokens } = await signedIn()
    expect(
      (
        await api('PATCH', '/v1/me', {
          token: tokens.accessToken,
          body: { email: other.email, password: PASSWORD },
        })
      ).status,
    ).toBe(409)
  })
})

describe('POST /v1/me/password', () => {
  it('needs the current password, then signs out every other session', async () => {
    const { email, tokens } = await signedIn()
    const other = await json(await login(email, PASSWORD))
    const wrong = await api('POST', '/v1/me/password', {
      token: tokens.accessToken,
      body: { currentPassword: 'not my password', newPassword: 'another fine passphrase' },
    })
    expect(wrong.status).toBe(403)
    const changed = await api('POST', '/v1/me/password', {
      token: tokens.accessToken,
      body: { currentPassword: PASSWORD, newPassword: 'another fine passphrase' },
    })
    expect(changed.status).toBe(204)
    expect((await api('GET', '/v1/me', { token: tokens.accessToken })).status).toBe(200)
    expect((await api('GET', '/v1/me', { token: other.accessToken })).status).toBe(401)
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: other.refreshToken } })).status,
    ).toBe(401)
    expect((await login(email, 'another fine passphrase')).status).toBe(200)
  })
})

describe('sessions', () => {
  it('lists sessions with device and marks the current one; revoking one ends its access', async () => {
    const { email, tokens } = await signedIn()
    const phone = await json(
      await login(
        email,
        PASSWORD,
        client(uniqueIp(), 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1'),
      ),
    )
    const listed = await json(await api('GET', '/v1/me/sessions', { token: tokens.accessToken }))
    expect(listed.data).toHaveLength(2)
    const current = listed.data.find((session: { current: boolean }) => session.current)
    expect(current.device).toBe('Firefox on macOS')
    const other = listed.data.find((session: { current: boolean }) => !session.current)
    expect(other.device).toBe('Safari on iOS')
    expect(other).toHaveProperty('lastUsedAt')
    expect((await api('DELETE', `/v1/me/sessions/${other.id}`, { token: tokens.accessToken })).status).toBe(
      204,
    )
    expect((await api('GET', '/v1/me', { token: phone.accessToken })).status).toBe(401)
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: phone.refreshToken } })).status,
    ).toBe(401)
  })

  it("cannot revoke another user's session (404)", async () => {
    const mine = await signedIn()
    const theirs = await signedIn()
    const { sid } = claimsOf(theirs.tokens.accessToken)
    expect((await api('DELETE', `/v1/me/sessions/${sid}`, { token: mine.tokens.accessToken })).status).toBe(
      404,
    )
    expect((await api('GET', '/v1/me', { token: theirs.tokens.accessToken })).status).toBe(200)
  })
})

describe('GET /v1/me/security-events', () => {
  it('records a sign-in from a new device, and mails the user', async () => {
    const { email, tokens } = await signedIn()
    await login(
      email,
      PASSWORD,
      client(uniqueIp(), 'Mozilla/5.0 (Windows NT 10.0) Chrome/128.0 Safari/537.36'),
    )
    const events = await json(await api('GET', '/v1/me/security-events', { token: tokens.accessToken }))
    expect(events.data[0]).toMatchObject({ type: 'new_device_login', device: 'Chrome on Windows' })
    const mail = await json(await api('GET', `/_dev/mail?to=${encodeURIComponent(email)}`))
    expect(mail.data.map((item: { subject: string }) => item.subject)).toContain(
      'New sign-in to your Folio account',
    )
  })

  it('stays quiet for a known device', async () => {
    const { email, tokens } = await signedIn()
    await login(email, PASSWORD)
    const events = await json(await api('GET', '/v1/me/security-events', { token: tokens.accessToken }))
    expect(events.data).toEqual([])
  })
})

describe('DELETE /v1/me', () => {
  it('needs the password, then removes the account and its data; its tokens stop working', async () => {
    const { email, tokens, user } = await signedIn()
    await login(email, 'a wrong password here')
    expect(
      (await api('DELETE', '/v1/me', { token: tokens.accessToken, body: { password: 'wrong one' } })).status,
    ).toBe(403)
    expect(
      (await api('DELETE', '/v1/me', { token: tokens.accessToken, body: { password: PASSWORD } })).status,
    ).toBe(204)
    expect((await api('GET', '/v1/me', { token: tokens.accessToken })).status).toBe(401)
    expect(
      (await api('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(401)
    expect((await login(email, PASSWORD)).status).toBe(401)
    const db = harness.db()
    for (const [name, table, column] of [
      ['sessions', sessions, sessions.userId],
      ['security events', securityEvents, securityEvents.userId],
      ['emailed tokens', oneTimeTokens, oneTimeTokens.userId],
      ['user', users, users.id],
    ] as const) {
      expect(await db.select().from(table).where(eq(column, user.id)), name).toEqual([])
    }
    // Only the failed attempt made after the deletion remains: it names no account.
    const attempts = await db.select().from(loginAttempts).where(eq(loginAttempts.email, email))
    expect(attempts.map((attempt) => [attempt.userId, attempt.outcome])).toEqual([[null, 'bad_credentials']])
    // The address is free again.
    expect(
      (await api('POST', '/v1/auth/register', { body: { email, password: PASSWORD, name: 'Again' } })).status,
    ).toBe(201)
  })
})

describe('DELETE /v1/me with commerce data', () => {
  it('erases the cart and addresses and keeps orders anonymised, in the same batch', async () => {
    const { user, tokens } = await signedIn()
    const customer = { id: user.id as string, token: tokens.accessToken }
    const order = await placeOrder(customer, [[await createBook({ price: 900 }), 1]])
    expect((await api('POST', '/v1/me/addresses', { token: customer.token, body: address })).status).toBe(201)
    await putInCart(customer, await createBook(), 1)

    expect(
      (await api('DELETE', '/v1/me', { token: customer.token, body: { password: PASSWORD } })).status,
    ).toBe(204)

    const db = harness.db()
    expect(await db.select().from(cartItems).where(eq(cartItems.userId, user.id))).toEqual([])
    expect(await db.select().from(addresses).where(eq(addresses.userId, user.id))).toEqual([])
    const [kept] = await db.select().from(orders).where(eq(orders.id, order.id))
    expect(kept).toMatchObject({ userId: null, shipName: null, shipLine1: null, shipPhone: null })
  })
})
