// Identity and commerce flows for the bench (scripts/lib/bench-classes.ts reports a class n/a when the Worker's
// OpenAPI document lacks its routes).
import { signStripePayload } from '../../src/features/payments/webhook-signature.ts'
import { expectStatus } from './bench-load.ts'

/** How the bench reaches the app: real HTTP to wrangler dev, or app.request in Node. */
export type Send = (path: string, init?: RequestInit) => Promise<Response>

export const BENCH_PASSWORD = 'bench: violet harbour lantern 4711'

const jsonInit = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

export const loginInit = (email: string) => jsonInit('POST', { email, password: BENCH_PASSWORD })

/** Registers a fresh customer and logs in; returns the access token. */
export async function signUp(send: Send, label: string): Promise<{ email: string; token: string }> {
  const email = `bench-${label}-${crypto.randomUUID().slice(0, 8)}@example.com`
  await expectStatus(
    send('/v1/auth/register', jsonInit('POST', { email, password: BENCH_PASSWORD, name: 'Bench' })),
    201,
  )
  const login = await expectStatus(send('/v1/auth/login', loginInit(email)), 200)
  const { accessToken } = (await login.json()) as { accessToken: string }
  return { email, token: accessToken }
}

const BENCH_ADDRESS = {
  name: 'Bench Customer',
  line1: '1 Load Street',
  city: 'London',
  postalCode: 'SW1A 1AA',
  country: 'GB',
}

export type Shopper = { token: string }

/** One purchase: a book into the cart, checkout with an Idempotency-Key, then Stripe's signed success webhook. */
export async function checkoutAndPay(send: Send, shopper: Shopper, bookId: string, webhookSecret: string) {
  const auth = { Authorization: `Bearer ${shopper.token}` }
  await expectStatus(send(`/v1/me/cart/items/${bookId}`, jsonInit('PUT', { quantity: 1 }, auth)), 200)
  const checkout = await expectStatus(
    send(
      '/v1/orders',
      jsonInit('POST', { address: BENCH_ADDRESS }, { ...auth, 'Idempotency-Key': crypto.randomUUID() }),
    ),
    201,
  )
  const order = (await checkout.json()) as { payment: { intentId: string } | null }
  const intentId = order.payment?.intentId
  if (!intentId) throw new Error('checkout returned no payment intent')
  const payload = JSON.stringify({
    id: `evt_bench_${crypto.randomUUID().replace(/-/g, '')}`,
    type: 'payment_intent.succeeded',
    data: { object: { id: intentId } },
  })
  await expectStatus(
    send('/v1/webhooks/stripe', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': await signStripePayload(webhookSecret, payload),
      },
      body: payload,
    }),
    200,
  )
}

/** In-stock books for checkout, spread so concurrent shoppers rarely contend for the same row. */
export async function purchasableBooks(send: Send): Promise<string[]> {
  const response = await expectStatus(send('/v1/books?inStock=true&sort=price&order=desc&limit=100'), 200)
  const page = (await response.json()) as { data: { id: string; stock: number }[] }
  return page.data.filter((book) => book.stock >= 10).map((book) => book.id)
}
