import { importJWK, type JWK, jwtVerify, SignJWT } from 'jose'
import type { Config } from '../../config'
import { ApiError } from '../../http/problem'
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '../../lib/jwt'

/** Access tokens live 15 minutes at most: the bound on how long a revoked session's token works elsewhere. */
export const ACCESS_TOKEN_TTL_SECONDS = 900
/** The MFA challenge token: five minutes to type a code. */
export const MFA_TOKEN_TTL_SECONDS = 300
/**
 * The MFA token is a JWT of another type and audience: `verifyAccessToken` pins `typ: at+jwt` and the API
 * audience, so it can never pass as an access token (RFC 8725 §3.11 explicit typing, §3.9 audience).
 */
const MFA_TOKEN_TYPE = 'mfa+jwt'
const mfaAudience = (config: Config) => `${config.JWT_AUDIENCE}:mfa`

const signingKeys = new WeakMap<Config, Promise<{ key: CryptoKey | Uint8Array; kid: string }>>()

function signingKey(config: Config) {
  let entry = signingKeys.get(config)
  if (!entry) {
    const jwk = config.JWT_PRIVATE_JWK
    if (!jwk) throw new Error('JWT_PRIVATE_JWK is not configured: this Worker cannot issue tokens')
    entry = importJWK(jwk as JWK, ACCESS_TOKEN_ALGORITHM).then((key) => ({ key, kid: jwk.kid }))
    signingKeys.set(config, entry)
  }
  return entry
}

export type AccessTokenSubject = { userId: string; role: string; sessionId: string }

/** RFC 9068 access token: ES256, `kid`, `typ: at+jwt`, iss/aud/sub/role/sid/jti/iat/exp. */
export async function signAccessToken(config: Config, subject: AccessTokenSubject): Promise<string> {
  const { key, kid } = await signingKey(config)
  return new SignJWT({ role: subject.role, sid: subject.sessionId })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setSubject(subject.userId)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(key)
}

export async function signMfaToken(config: Config, userId: string): Promise<string> {
  const { key, kid } = await signingKey(config)
  return new SignJWT({})
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: MFA_TOKEN_TYPE })
    .setIssuer(config.JWT_ISSUER)
    .setAudience(mfaAudience(config))
    .setSubject(userId)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${MFA_TOKEN_TTL_SECONDS}s`)
    .sign(key)
}

/** Verifies an MFA challenge token (pinned alg, typ, iss, aud, exp): the user it was issued for, its id and expiry. */
export async function verifyMfaToken(
  config: Config,
  token: string,
): Promise<{ userId: string; challengeId: string; expiresAt: Date }> {
  try {
    const { payload } = await jwtVerify(token, await publicFromPrivate(config), {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      typ: MFA_TOKEN_TYPE,
      issuer: config.JWT_ISSUER,
      audience: mfaAudience(config),
      requiredClaims: ['exp', 'sub', 'jti'],
    })
    return { userId: payload.sub!, challengeId: payload.jti!, expiresAt: new Date(payload.exp! * 1000) }
  } catch {
    throw new ApiError(401, {
      title: 'Invalid MFA token',
      detail: 'The MFA token is invalid or expired; sign in again',
    })
  }
}

const publicKeys = new WeakMap<Config, Promise<CryptoKey | Uint8Array>>()

function publicFromPrivate(config: Config) {
  let entry = publicKeys.get(config)
  if (!entry) {
    const { d: _private, ...publicJwk } = config.JWT_PRIVATE_JWK as JWK
    entry = importJWK(publicJwk, ACCESS_TOKEN_ALGORITHM)
    publicKeys.set(config, entry)
  }
  return entry
}

/** The public JWK Set (RFC 7517 §5): only public members, whatever the configuration holds. */
export function publicJwks(config: Config) {
  const keys = config.JWT_PUBLIC_JWKS.keys.map((jwk) => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...rest } = jwk as Record<string, unknown>
    return { use: 'sig', alg: ACCESS_TOKEN_ALGORITHM, ...rest }
  })
  return { keys }
}
