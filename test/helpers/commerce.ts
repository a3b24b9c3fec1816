import { eq } from 'drizzle-orm'
import { harness } from '#harness'
import { books } from '../../src/db/schema'
import { signStripePayload } from '../../src/features/payments/webhook-signature'
import { randomId } from '../../src/lib/ids'
import { api, json } from './http'

export const WEBHOOK_SECRET = 'whsec_test_secret'

import type { Customer } from './tokens'

export { type Customer, createUser } from './tokens'

export async function createBook(
  options: { stock?: number; price?: number; currency?: string; title?: string } = {},
) {
  const id = randomId('bk')
  const now = new Date()
  const digits = String(Math.floor(Math.random() * 1e10)).padStart(10, '0')
  await harness
    .db()
    .insert(books)
    .values({
      id,
      isbn: `979${digits}`,
      title: options.title ?? `Book ${id.slice(-6)}`,
      authors: ['Test Author'],
      language: 'en',
      publishedYear: 2000,
      priceAmount: options.price ?? 1500,
      currency: options.currency ?? 'EUR',
      stock: options.stock ?? 10,
      createdAt: now,
      updatedAt: now,
    })
  return id
}

export async function stockOf(bookId: string): Promise<number> {
  const row = await harness.db().query.books.findFirst({ where: eq(books.id, bookId) })
  return row!.stock
}

export const address = {
  name: 'Ada Lovelace',
  line1: '12 St James’s Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'gb',
  phone: '+44 20 7946 0000',
}

export function putInCart(customer: Customer, bookId: string, quantity: number) {
  return api('PUT', `/v1/me/cart/items/${bookId}`, { token: customer.token, body: { quantity } })
}

export function checkoutRequest(customer: Customer, key = crypto.randomUUID(), body: unknown = { address }) {
  return api('POST', '/v1/orders', { token: customer.token, body, headers: { 'Idempotency-Key': key } })
}

/** Cart with the given lines, checked out; returns the order body. */
export async function placeOrder(customer: Customer, lines: [string, number][]) {
  for (const [bookId, quantity] of lines) {
    const put = await putInCart(customer, bookId, quantity)
    if (put.status !== 200) throw new Error(`cart PUT ${put.status}`)
  }
  const response = await checkoutRequest(customer)
  if (response.status !== 201) throw new Error(`checkout ${response.status}: ${await response.text()}`)
  return json(response)
}

export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  id = `evt_${crypto.randomUUID()}`,
) {
  return {
    id,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  }
}

/** Posts an event signed exactly as Stripe signs it (or with the given header). */
export async function postWebhook(
  event: unknown,
  options: { signature?: string | null; timestamp?: number } = {},
) {
  const payload = JSON.stringify(event)
  const signature =
    options.signature === undefined
      ? await signStripePayload(WEBHOOK_SECRET, payload, options.timestamp)
      : options.signature
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' }
  if (signature !== null) headers['Stripe-Signature'] = signature
  return harness.request('/v1/webhooks/stripe', { method: 'POST', headers, body: payload })
}

/** Marks an order paid the way production does: a signed payment_intent.succeeded for its intent. */
export async function payOrder(order: { payment: { intentId: string }; total: { amount: number } }) {
  const response = await postWebhook(
    stripeEvent('payment_intent.succeeded', {
      id: order.payment.intentId,
      object: 'payment_intent',
      amount: order.total.amount,
      status: 'succeeded',
    }),
  )
  if (response.status !== 200) throw new Error(`webhook ${response.status}`)
}

export async function getOrder(token: string, id: string) {
  return json(await api('GET', `/v1/orders/${id}`, { token }))
}
