/**
 * The one constant-time comparison: the time taken depends only on the inputs' lengths, never on where they
 * differ, so a caller cannot find a secret byte by byte from response times (OWASP ASVS 11.2.4 / 6.2.1).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    difference |= (a[index] ?? 0) ^ (b[index] ?? 0)
  }
  return difference === 0
}

const encoder = new TextEncoder()

/** `timingSafeEqual` over the UTF-8 bytes of two strings (e.g. hex signatures). */
export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(encoder.encode(a), encoder.encode(b))
}
