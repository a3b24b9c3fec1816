import { describe, expect, it } from 'vitest'
import { challengeText } from '../src/middleware/auth'
import { signedIn } from './helpers/accounts'
import { api, json } from './helpers/http'
import { customerToken, signToken } from './helpers/tokens'

// RFC 7235 §2.1 (with RFC 7230 §3.2.6 token and quoted-string) as narrowed by RFC 6750 §3: one Bearer challenge,
// comma-separated auth-params whose quoted values hold no `"` or `\` at all.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const PARAM = `${TOKEN}="[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"`
const CHALLENGE = new RegExp(`^Bearer (${PARAM})(, ?${PARAM})*$`)

function parseChallenge(header: string | null): Record<string, string> {
  expect(header).toMatch(CHALLENGE)
  const params: Record<string, string> = {}
  for (const [, name, value] of header!.matchAll(new RegExp(`(${TOKEN})="([^"]*)"`, 'g'))) {
    params[name!] = value!
  }
  return params
}

async function challengeOf(response: Response, status: number) {
  expect(response.status).toBe(status)
  expect(response.headers.get('Content-Type')).toBe('application/problem+json')
  expect((await json(response)).status).toBe(status)
  return parseChallenge(response.headers.get('WWW-Authenticate'))
}

const me = (authorization?: string) =>
  api('GET', '/v1/me', authorization ? { headers: { Authorization: authorization } } : {})

describe('WWW-Authenticate (RFC 6750 §3)', () => {
  it('no token, or another scheme: a bare Bearer challenge without an error code (§3.1)', async () => {
    expect(await challengeOf(await me(), 401)).toEqual({ realm: 'folio' })
    expect(await challengeOf(await me('Basic dXNlcjpwYXNz'), 401)).toEqual({ realm: 'folio' })
  })

  it('a malformed Bearer header: 400 invalid_request', async () => {
    for (const header of ['Bearer', 'Bearer a b', 'Bearer "quoted"', 'Bearer a,b']) {
      const params = await challengeOf(await me(header), 400)
      expect(params, header).toMatchObject({ realm: 'folio', error: 'invalid_request' })
      expect(params.error_description).toBeTruthy()
    }
  })

  it('a token that is not ours, a bad signature shape or an expired one: 401 invalid_token', async () => {
    const expired = await signToken({ expiresIn: Math.floor(Date.now() / 1000) - 60 })
    for (const token of ['not-a-jwt', 'a.b.c', expired]) {
      const params = await challengeOf(await me(`Bearer ${token}`), 401)
      expect(params).toEqual({
        realm: 'folio',
        error: 'invalid_token',
        error_description: 'The access token is invalid or expired',
      })
    }
  })

  it('the scheme is case-insensitive (RFC 7235 §2.1)', async () => {
    const { tokens } = await signedIn()
    expect((await me(`bearer ${tokens.accessToken}`)).status).toBe(200)
  })

  it('a valid token whose session has ended: 401 invalid_token', async () => {
    const token = await signToken({ claims: { sid: 'ses_gone' } })
    expect(await challengeOf(await me(`Bearer ${token}`), 401)).toMatchObject({ error: 'invalid_token' })
  })

  it('a valid token without the role: 403 insufficient_scope', async () => {
    const response = await api('GET', '/v1/admin/users', { token: await customerToken() })
    expect(await challengeOf(response, 403)).toEqual({
      realm: 'folio',
      error: 'insufficient_scope',
      error_description: 'This action requires the admin role',
    })
  })

  it('error_description never carries a quote, a backslash or a non-ASCII character', () => {
    expect(challengeText('must be "Bearer <token>" \\ café\n')).toBe("must be 'Bearer <token>' ? caf??")
    expect(challengeText('must be "Bearer <token>"')).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/)
  })
})
