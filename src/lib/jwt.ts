import { createLocalJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { Config } from '../config'

/**
 * Access tokens: ES256 only. Pinning the algorithm list rejects `alg: none` and HMAC-with-the-public-key
 * confusion (RFC 8725 §3.1); the key is chosen by `kid` from the configured JWK Set, so several keys can be live
 * during a rotation (RFC 7517 §4.5). `typ: at+jwt` keeps other JWTs we might sign (e.g. MFA challenges) from
 * being accepted as access tokens (RFC 9068 §2.1, RFC 8725 §3.11).
 */
export const ACCESS_TOKEN_ALGORITHM = 'ES256'
export const ACCESS_TOKEN_TYPE = 'at+jwt'

const keySets = new WeakMap<Config, JWTVerifyGetKey>()

function keySet(config: Config): JWTVerifyGetKey {
  let keys = keySets.get(config)
  if (!keys) {
    keys = createLocalJWKSet(config.JWT_PUBLIC_JWKS as Parameters<typeof createLocalJWKSet>[0])
    keySets.set(config, keys)
  }
  return keys
}

export type AccessTokenClaims = JWTPayload & { sub: string; role: string; sid?: string }

/** Verifies signature, algorithm, `typ`, `iss`, `aud`, `exp` (all required). Throws on any failure. */
export async function verifyAccessToken(token: string, config: Config): Promise<AccessTokenClaims> {
  const { payload } = await jwtVerify(token, keySet(config), {
    algorithms: [ACCESS_TOKEN_ALGORITHM],
    typ: ACCESS_TOKEN_TYPE,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    requiredClaims: ['exp', 'iat', 'sub', 'role'],
    clockTolerance: 5,
  })
  return payload as AccessTokenClaims
}
