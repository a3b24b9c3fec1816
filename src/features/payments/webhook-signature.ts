import { timingSafeEqualText } from '../../lib/constant-time'
import { hmacSha256, toHex } from '../../lib/digest'
/** Stripe's default tolerance between the signed timestamp and now, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300

export type SignatureCheck = { ok: true } | { ok: false; reason: string }

/** HMAC-SHA256 of `"{t}.{payload}"` with the endpoint secret, hex encoded: Stripe's `v1` scheme. */
export async function stripeSignature(secret: string, timestamp: number, payload: string): Promise<string> {
  return toHex(await hmacSha256(secret, `${timestamp}.${payload}`))
}

function parseHeader(header: string): { timestamp: number | null; signatures: string[] } {
  let timestamp: number | null = null
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2).map((piece) => piece.trim())
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value)
    if (key === 'v1' && value) signatures.push(value)
  }
  return { timestamp, signatures }
}

/**
 * Verifies a `Stripe-Signature` header exactly as Stripe specifies (docs.stripe.com/webhooks#verify-manually):
 * `t=` timestamp and one or more `v1=` signatures (several during secret rotation; any one may match) over the
 * raw body; other schemes (`v0`) are ignored; the timestamp must be within the tolerance, which stops replays of
 * captured requests. Each candidate is compared in constant time.
 */
export async function verifyStripeSignature(input: {
  header: string | undefined
  payload: string
  secret: string
  now?: number
  toleranceSeconds?: number
}): Promise<SignatureCheck> {
  if (!input.header) return { ok: false, reason: 'Missing Stripe-Signature header' }
  const { timestamp, signatures } = parseHeader(input.header)
  if (timestamp === null || signatures.length === 0) {
    return { ok: false, reason: 'Stripe-Signature needs a t= timestamp and at least one v1= signature' }
  }
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000)
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'The signature timestamp is outside the tolerance window' }
  }
  const expected = await stripeSignature(input.secret, timestamp, input.payload)
  let matched = false
  for (const signature of signatures) matched = timingSafeEqualText(expected, signature) || matched
  return matched ? { ok: true } : { ok: false, reason: 'No v1 signature matches the payload' }
}

/** Builds a header as Stripe sends it; used by tests and `npm run stripe:simulate`. */
export async function signStripePayload(
  secret: string,
  payload: string,
  timestamp?: number,
): Promise<string> {
  const t = timestamp ?? Math.floor(Date.now() / 1000)
  return `t=${t},v1=${await stripeSignature(secret, t, payload)}`
}
