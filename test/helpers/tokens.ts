import { importJWK, SignJWT } from 'jose'
import { harness } from '#harness'

type TokenOptions = {
  role?: string
  sub?: string
  expiresIn?: string | number
  audience?: string
  issuer?: string
  kid?: string
  typ?: string
  claims?: Record<string, unknown>
}

/** Signs an access token with the test key, exactly as the identity service does; options break it on purpose. */
export async function signToken(options: TokenOptions = {}): Promise<string> {
  const jwk = JSON.parse(harness.env.JWT_PRIVATE_JWK)
  const key = await importJWK(jwk, 'ES256')
  return new SignJWT({ role: options.role ?? 'customer', ...options.claims })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? jwk.kid, typ: options.typ ?? 'at+jwt' })
    .setSubject(options.sub ?? 'usr_test')
    .setIssuer(options.issuer ?? harness.env.JWT_ISSUER)
    .setAudience(options.audience ?? harness.env.JWT_AUDIENCE)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(key)
}

export const adminToken = () => signToken({ role: 'admin', sub: 'usr_admin' })
export const customerToken = () => signToken({ role: 'customer', sub: 'usr_customer' })
