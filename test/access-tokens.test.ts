import { base64url, decodeJwt, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { bookInput } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken, signToken } from './helpers/tokens'

// Any admin route will do: POST /v1/books verifies the token, then the role.
const createWith = (token: string) => api('POST', '/v1/books', { token, body: bookInput() })

async function expectRejected(token: string) {
  const response = await createWith(token)
  expect(response.status).toBe(401)
  expect(response.headers.get('WWW-Authenticate')).toContain('error="invalid_token"')
  expect((await json(response)).title).toBe('Unauthorized')
}

describe('access token verification (RFC 8725)', () => {
  it('accepts a valid admin token', async () => {
    expect((await createWith(await adminToken())).status).toBe(201)
  })

  it('rejects an expired token', async () => {
    await expectRejected(await signToken({ role: 'admin', expiresIn: Math.floor(Date.now() / 1000) - 60 }))
  })

  it('rejects the wrong audience and the wrong issuer', async () => {
    await expectRejected(await signToken({ role: 'admin', audience: 'another-api' }))
    await expectRejected(await signToken({ role: 'admin', issuer: 'https://evil.example' }))
  })

  it('rejects alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))
    const now = Math.floor(Date.now() / 1000)
    const payload = base64url.encode(
      JSON.stringify({
        sub: 'usr_x',
        role: 'admin',
        iss: harness.env.JWT_ISSUER,
        aud: harness.env.JWT_AUDIENCE,
        iat: now,
        exp: now + 300,
      }),
    )
    await expectRejected(`${header}.${payload}.`)
    await expectRejected(`${header}.${payload}.c2lnbmF0dXJl`)
  })

  it('rejects an unknown kid and a token signed by another key under our kid', async () => {
    await expectRejected(await signToken({ role: 'admin', kid: 'no-such-key' }))
    const { privateKey } = await generateKeyPair('ES256')
    const kid = JSON.parse(harness.env.JWT_PRIVATE_JWK).kid
    await expectRejected(await signToken({ role: 'admin', key: privateKey, kid }))
  })

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const publicJwk = JSON.parse(harness.env.JWT_PUBLIC_JWKS).keys[0]
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk))
    await expectRejected(await signToken({ role: 'admin', key: secret, alg: 'HS256', kid: publicJwk.kid }))
  })

  it('rejects a JWT of another type and a token without a known role', async () => {
    await expectRejected(await signToken({ role: 'admin', typ: 'JWT' }))
    await expectRejected(await signToken({ role: 'superuser' }))
  })

  it('accepts any key of the configured set (rotation) — a key not in the set is refused', async () => {
    // The admin's own subject and session, so a token that verifies passes the session check too.
    const { sub, sid } = decodeJwt(await adminToken())
    const signAdmin = (key: CryptoKey, kid: string) =>
      signToken({ role: 'admin', sub, key, kid, claims: { sid } })
    const [rotated, outsider] = [await generateKeyPair('ES256'), await generateKeyPair('ES256')]
    const rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: 'rotated', alg: 'ES256', use: 'sig' }
    const configured: { keys: object[] } = JSON.parse(harness.env.JWT_PUBLIC_JWKS)
    const JWT_PUBLIC_JWKS = JSON.stringify({ keys: [...configured.keys, rotatedJwk] })
    const createBookWith = async (token: string) =>
      harness.requestWithEnv(
        '/v1/books',
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(bookInput()),
        },
        { JWT_PUBLIC_JWKS },
      )

    // Both keys of the set verify: the current one and the one being rotated in.
    expect((await createBookWith(await adminToken())).status).toBe(201)
    expect((await createBookWith(await signAdmin(rotated.privateKey, 'rotated'))).status).toBe(201)
    // A key outside the set is refused, whether it names a kid of its own or one of the set's.
    for (const kid of ['outsider', 'rotated']) {
      const refused = await createBookWith(await signAdmin(outsider.privateKey, kid))
      expect(refused.status).toBe(401)
      expect(refused.headers.get('WWW-Authenticate')).toContain('error="invalid_token"')
    }
  })

  it('answers a malformed Authorization header with 401', async () => {
    const response = await api('POST', '/v1/books', {
      headers: { Authorization: 'Basic abc' },
      body: bookInput(),
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
  })
})
