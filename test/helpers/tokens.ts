import { importJWK, SignJWT } from 'jose'
import { harness } from '#harness'
import { sessions, users } from '../../src/db/schema'
import { randomId } from '../../src/lib/ids'

type TokenOptions = {
  role?: string
  sub?: string
  expiresIn?: string | number
  audience?: string
  issuer?: string
  kid?: string
  typ?: string
  claims?: Record<string, unknown>
  /** Another signing key (and its algorithm) than the test key: a forgery. */
  key?: CryptoKey | Uint8Array
  alg?: string
}

/** Signs an access token with the test key, exactly as the identity service does; options break it on purpose. */
export async function signToken(options: TokenOptions = {}): Promise<string> {
  const jwk = JSON.parse(harness.env.JWT_PRIVATE_JWK)
  const key = options.key ?? (await importJWK(jwk, 'ES256'))
  return new SignJWT({ role: options.role ?? 'customer', ...options.claims })
    .setProtectedHeader({
      alg: options.alg ?? 'ES256',
      kid: options.kid ?? jwk.kid,
      typ: options.typ ?? 'at+jwt',
    })
    .setSubject(options.sub ?? 'usr_test')
    .setIssuer(options.issuer ?? harness.env.JWT_ISSUER)
    .setAudience(options.audience ?? harness.env.JWT_AUDIENCE)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(key)
}

export type Customer = { id: string; token: string }

/** A user row and a session inserted directly (faster than a sign-in's PBKDF2) and an access token for them. */
export async function createUser(
  role: 'customer' | 'admin' = 'customer',
  profile: { name?: string } = {},
): Promise<Customer> {
  const id = randomId('usr')
  const now = new Date()
  await harness
    .db()
    .insert(users)
    .values({
      id,
      email: `${id}@example.test`,
      name: profile.name ?? 'Test User',
      passwordHash: 'x',
      role,
      createdAt: now,
      updatedAt: now,
    })
  // A live session, as a sign-in creates: account, order and admin routes check it (requireActiveSession, src/features/auth/active-session.ts).
  const sessionId = randomId('ses')
  await harness
    .db()
    .insert(sessions)
    .values({
      id: sessionId,
      userId: id,
      device: 'test',
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
    })
  return { id, token: await signToken({ sub: id, role, claims: { sid: sessionId } }) }
}

let admin: Promise<Customer> | undefined
let customer: Promise<Customer> | undefined

/** A real admin (user row + live session) for this test file, and its access token. */
export async function adminToken(): Promise<string> {
  admin ??= createUser('admin')
  return (await admin).token
}
/** A real customer (user row + live session) for this test file, and its access token. */
export async function customerToken(): Promise<string> {
  customer ??= createUser('customer')
  return (await customer).token
}
