import { encodeBase64Url } from './base64url'
import { base32 } from './ids'

/**
 * Opaque secrets (refresh tokens, email links, recovery codes) and their at-rest form.
 * Tokens carry at least 256 random bits (RFC 9700 §4.14, ASVS 3.2.2); a plain SHA-256 is the right hash for
 * them: unlike passwords they are too random to guess, so a slow hash adds nothing.
 */
export function randomToken(bytes = 32): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))
}

export { sha256Hex } from './digest'

/** A recovery code such as `7k2mq-x9d4t`: 50 random bits, Crockford base32, easy to type. */
export function randomRecoveryCode(): string {
  const text = base32(crypto.getRandomValues(new Uint8Array(7))).slice(0, 10)
  return `${text.slice(0, 5)}-${text.slice(5)}`
}

/** Normalises what a user typed: case, spaces and the dash do not matter. */
export function normalizeRecoveryCode(input: string): string {
  const compact = input.toLowerCase().replace(/[\s-]/g, '')
  return `${compact.slice(0, 5)}-${compact.slice(5)}`
}
