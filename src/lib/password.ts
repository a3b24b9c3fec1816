import { decodeBase64Url, encodeBase64Url } from './base64url'
import { timingSafeEqual } from './constant-time'
import { hmacSha256 } from './digest'

/**
 * Password hashing with WebCrypto PBKDF2-HMAC-SHA256 (OWASP Password Storage Cheat Sheet; NIST SP 800-63B §5.1.1.2).
 * workerd caps PBKDF2 at 100,000 iterations (cloudflare/workerd#1346), so that is what we use; a secret pepper
 * (HMAC-SHA256 of the password under PASSWORD_PEPPER) means a stolen database alone cannot be brute-forced.
 *
 * Stored form, self-describing and versioned so parameters can be raised later:
 *   $pbkdf2-sha256$v=1$i=100000$<salt, base64url>$<hash, base64url>
 * `needsRehash` tells the login flow to upgrade an older hash after a successful check.
 */
const ALGORITHM = 'pbkdf2-sha256'
const VERSION = 1
export const PBKDF2_ITERATIONS = 100_000
const SALT_BYTES = 16
const HASH_BITS = 256

async function pepper(password: string, secret: string): Promise<Uint8Array<ArrayBuffer>> {
  return hmacSha256(secret, password.normalize('NFKC'))
}

async function derive(
  password: string,
  secret: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', await pepper(password, secret), 'PBKDF2', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    HASH_BITS,
  )
  return new Uint8Array(bits)
}

/** `iterations` exists for tests and migrations of old hashes; the app always uses the default. */
export async function hashPassword(
  password: string,
  secret: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await derive(password, secret, salt, iterations)
  return `$${ALGORITHM}$v=${VERSION}$i=${iterations}$${encodeBase64Url(salt)}$${encodeBase64Url(hash)}`
}

type ParsedHash = { version: number; iterations: number; salt: Uint8Array<ArrayBuffer>; hash: Uint8Array }

function parseHash(stored: string): ParsedHash | null {
  const match = stored.match(/^\$pbkdf2-sha256\$v=(\d+)\$i=(\d+)\$([\w-]+)\$([\w-]+)$/)
  if (!match) return null
  const iterations = Number(match[2])
  if (iterations < 1 || iterations > PBKDF2_ITERATIONS) return null
  return {
    version: Number(match[1]),
    iterations,
    salt: decodeBase64Url(match[3]!),
    hash: decodeBase64Url(match[4]!),
  }
}

export async function verifyPassword(password: string, stored: string, secret: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const candidate = await derive(password, secret, parsed.salt, parsed.iterations)
  // Constant time (OWASP ASVS 6.2.1): the time taken does not say how much of the hash matched.
  return timingSafeEqual(candidate, parsed.hash)
}

/** True when the stored hash was made with older parameters and should be replaced after a successful login. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored)
  return !parsed || parsed.version !== VERSION || parsed.iterations !== PBKDF2_ITERATIONS
}

/**
 * A well-formed hash of no one's password. Checking a password for an unknown email against it costs the same
 * PBKDF2 work as a real check, so response time does not reveal which emails have accounts (OWASP ASVS 2.2.x;
 * better-auth's sign-in does the same).
 */
export const DUMMY_PASSWORD_HASH = `$${ALGORITHM}$v=${VERSION}$i=${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`
