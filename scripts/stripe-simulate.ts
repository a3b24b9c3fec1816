// `npm run stripe:simulate -- --order ord_… [--type payment_intent.succeeded] [--amount 500] [--url …]`:
// plays Stripe locally. It looks the order's intent up in the local D1 database, then posts a
// Stripe-shaped event signed with STRIPE_WEBHOOK_SECRET from .dev.vars, exactly as Stripe signs webhooks.
// It refuses to run without .dev.vars, so it can never talk to production with real secrets.
import { parseArgs } from 'node:util'
import { desc, eq } from 'drizzle-orm'
import { payments } from '../src/db/schema/index.ts'
import { signStripePayload } from '../src/features/payments/webhook-signature.ts'
import { readDevVars } from './lib/dev-vars.ts'
import { openLocalD1 } from './lib/local-d1.ts'

const TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
] as const

const { values } = parseArgs({
  options: {
    order: { type: 'string' },
    type: { type: 'string', default: 'payment_intent.succeeded' },
    amount: { type: 'string' },
    url: { type: 'string', default: 'http://localhost:8787' },
  },
})
const vars = readDevVars()
if (!vars.STRIPE_WEBHOOK_SECRET) {
  throw new Error('No .dev.vars with keys: run `npm run dev` once to generate them')
}
if (!values.order?.startsWith('ord_')) throw new Error('Pass --order ord_…')
if (!TYPES.includes(values.type as (typeof TYPES)[number]))
  throw new Error(`--type must be one of ${TYPES.join(', ')}`)

// The order's intent comes straight from the local D1 database that `npm run dev` serves (the API would need a
// signed-in admin session), so the script works with nothing but .dev.vars and a running dev server.
const local = await openLocalD1()
const [payment] = await local.db
  .select({ intentId: payments.intentId, amount: payments.amount })
  .from(payments)
  .where(eq(payments.orderId, values.order))
  .orderBy(desc(payments.createdAt))
  .limit(1)
await local.dispose()
if (!payment) throw new Error(`No payment for ${values.order} in the local database`)
const order = { total: { amount: payment.amount } }
const intentId = payment.intentId
if (!intentId) throw new Error('The order has no payment intent')

const object =
  values.type === 'charge.refunded'
    ? {
        id: `ch_sim_${crypto.randomUUID().slice(0, 8)}`,
        object: 'charge',
        payment_intent: intentId,
        amount_refunded: Number(values.amount ?? order.total.amount),
      }
    : {
        id: intentId,
        object: 'payment_intent',
        amount: order.total.amount,
        status: values.type.split('.')[1],
      }
const event = {
  id: `evt_sim_${crypto.randomUUID().replace(/-/g, '')}`,
  object: 'event',
  created: Math.floor(Date.now() / 1000),
  type: values.type,
  data: { object },
}
const payload = JSON.stringify(event)
const response = await fetch(`${values.url}/v1/webhooks/stripe`, {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    'Stripe-Signature': await signStripePayload(vars.STRIPE_WEBHOOK_SECRET, payload),
  },
  body: payload,
})
console.log(`${values.type} for ${values.order} (${intentId}) → ${response.status} ${await response.text()}`)
