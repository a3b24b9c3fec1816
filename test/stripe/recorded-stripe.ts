// Stands in for api.stripe.com in the `workerd-stripe` test project: miniflare routes every outbound fetch of
// the Worker here (its `outboundService`), so the real Stripe adapter runs unchanged, end to end, with no network.
// Answers are Stripe-shaped (docs.stripe.com/api) and it enforces Stripe's contract: a secret key, a form body and
// an Idempotency-Key on every POST. It runs in Node, in the vitest config process.

export const STRIPE_TEST_BASE = 'https://api.stripe.test'

const stripeError = (status: number, type: string, message: string) =>
  Response.json({ error: { type, message } }, { status })

let sequence = 0
/** Idempotency-Key → the first answer, as Stripe replays it. */
const replays = new Map<string, unknown>()

export async function recordedStripe(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (url.origin !== STRIPE_TEST_BASE) return new Response('No network in tests', { status: 599 })
  if (!/^Bearer sk_test_/.test(request.headers.get('Authorization') ?? '')) {
    return stripeError(401, 'invalid_request_error', 'Invalid API Key provided')
  }
  if (request.method !== 'POST') return stripeError(404, 'invalid_request_error', 'Unrecognized request URL')
  const key = request.headers.get('Idempotency-Key')
  if (!key) return stripeError(400, 'idempotency_error', 'This test stand-in requires an Idempotency-Key')
  if (!request.headers.get('Content-Type')?.startsWith('application/x-www-form-urlencoded')) {
    return stripeError(400, 'invalid_request_error', 'Send a form-encoded body')
  }
  const form = new URLSearchParams(await request.text())
  if (replays.has(key)) return Response.json(replays.get(key))
  sequence++
  let body: unknown
  if (url.pathname === '/v1/payment_intents') {
    const id = `pi_rec${String(sequence).padStart(20, '0')}`
    body = {
      id,
      object: 'payment_intent',
      amount: Number(form.get('amount')),
      currency: form.get('currency'),
      status: 'requires_payment_method',
      client_secret: `${id}_secret_rec${sequence}`,
      livemode: false,
    }
  } else if (url.pathname === '/v1/refunds') {
    body = {
      id: `re_rec${String(sequence).padStart(20, '0')}`,
      object: 'refund',
      amount: Number(form.get('amount')),
      payment_intent: form.get('payment_intent'),
      status: 'succeeded',
    }
  } else if (/^\/v1\/payment_intents\/[^/]+\/cancel$/.test(url.pathname)) {
    body = { id: url.pathname.split('/')[3], object: 'payment_intent', status: 'canceled' }
  } else {
    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (POST: ${url.pathname})`)
  }
  replays.set(key, body)
  return Response.json(body)
}
