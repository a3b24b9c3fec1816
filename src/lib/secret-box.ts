import { decodeBase64Url, encodeBase64Url } from './base64url'

/**
 * Encryption at rest for secrets the server must read back (TOTP seeds): AES-256-GCM under a key derived with
 * HKDF-SHA256 from a configured secret and a purpose label (domain separation, RFC 5869 §3.2), so a leaked
 * database alone does not hand out second factors (OWASP ASVS 6.4.1). Format: `v1.<iv>.<ciphertext+tag>`.
 */
const encoder = new TextEncoder()

async function boxKey(secret: string, purpose: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: encoder.encode(`folio/${purpose}`) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

export async function seal(plaintext: string, secret: string, purpose: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await boxKey(secret, purpose)
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(plaintext))
  return `v1.${encodeBase64Url(iv)}.${encodeBase64Url(new Uint8Array(sealed))}`
}

export async function open(sealed: string, secret: string, purpose: string): Promise<string> {
  const [version, iv, data] = sealed.split('.')
  if (version !== 'v1' || !iv || !data) throw new Error('Unknown sealed secret format')
  const key = await boxKey(secret, purpose)
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: decodeBase64Url(iv) },
    key,
    decodeBase64Url(data),
  )
  return new TextDecoder().decode(plain)
}
