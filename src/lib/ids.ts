/**
 * Opaque, prefixed, non-sequential ids (`bk_…`, `usr_…`), as Stripe does: the prefix tells a reader what the id
 * names, and 128 random bits make ids impossible to guess or enumerate (OWASP API1: broken object authorization).
 */
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz' // Crockford's alphabet: no i, l, o, u

export function base32(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += BASE32[(buffer >> bits) & 31]
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31]
  return out
}

export function randomId(prefix: string): string {
  return `${prefix}_${base32(crypto.getRandomValues(new Uint8Array(16)))}`
}
