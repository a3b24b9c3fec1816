import { base64url } from 'jose'

/** The one base64url codec (RFC 4648 §5, unpadded): jose's, for tokens, hashes, sealed secrets and cursors. */
export const encodeBase64Url = base64url.encode

/** jose's decoder, as the ArrayBuffer-backed view WebCrypto's types ask for. Throws on malformed input. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(base64url.decode(text))
}
