// `npm run stripe:simulate -- --order ord_… [--type payment_intent.succeeded] [--amount 500] [--url …]`:
// plays Stripe locally. It looks the order's intent up in the local D1 database, then posts a
// Stripe-shaped event signed with STRIPE_WEBHOOK_SECRET from .dev.vars, exactly as Stripe signs webhooks.
// It refuses to run without .dev.vars, so it can never talk to production with real secrets.
// The server is the running `npm run dev` (its URL is in .wrangler/dev-url), or --url.
// Prints the webhook's answer as one JSON line on stdout: { type, order, intent, status, body }.
import { parseArgs } from 'node:util'
import { desc, eq } from 'drizzle-orm'
import { payments } from '../src/db/schema/index.ts'
import { signStripePayload } from '../src/features/payments/webhook-signature.ts'
import { CliError, result, runCli } from './lib/cli.ts'
import { DEV_URL_PATH, readDevUrl } from './lib/dev-url.ts'
import { readDevVars } from './lib/dev-vars.ts'
import { openLocalD1 } from './lib/local-d1.ts'

const TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
] as const

await runCli('stripe:simulate', async () => {
  const { values } = parseArgs({
    options: {
      order: { type: 'string' },
      type: { type: 'string', default: 'payment_intent.succeeded' },
      amount: { type: 'string' },
      url: { type: 'string' },
    },
  })
  const vars = readDevVars()
  if (!vars.STRIPE_WEBHOOK_SECRET)
    throw new CliError('No .dev.vars here: run `npm run dev` once to generate it')
  if (!values.order?.startsWith('ord_'))
    throw new CliError('Pass --order ord_… (the id POST /v1/orders returned)')
  if (!TYPES.includes(values.type as (typeof TYPES)[number]))
    throw new CliError(`--type must be one of ${TYPES.join(', ')}`)
  const amountOverride = values.amount === undefined ? undefined : Number(values.amount)
  if (amountOverride !== undefined && !(Number.isInteger(amountOverride) && amountOverride > 0))
    throw new CliError('--amount must be a positive integer in minor units (500 is 5.00)')
  const base = (values.url ?? readDevUrl())?.replace(/\/+$/, '')
  if (!base)
    throw new CliError(`No running dev server (no ${DEV_URL_PATH}): start \`npm run dev\` or pass --url`)
  if (!URL.canParse(base)) throw new CliError(`--url ${base} is not a URL`)
  const unreachable = () => new CliError(`No server answers at ${base}: start \`npm run dev\` or pass --url`)
  await fetch(`${base}/health`).catch(() => {
    throw unreachable()
  })

  // The order's intent comes straight from the local D1 database that `npm run dev` serves (the API would need a
  // signed-in admin session), so the script works with nothing but .dev.vars and a running dev server.
  const local = await openLocalD1()
  const [payment] = await local.db
    .select({ intentId: payments.intentId, amount: payments.amount })
    .from(payments)
    .where(eq(payments.orderId, values.order))
    .orderBy(desc(payments.createdAt))
    .limit(1)
    .finally(() => local.dispose())
  if (!payment) throw new CliError(`No order ${values.order} with a payment in the local database`)
  const intentId = payment.intentId
  if (!intentId) throw new CliError(`Order ${values.order} has no payment intent yet`)

  const object =
    values.type === 'charge.refunded'
      ? {
          id: `ch_sim_${crypto.randomUUID().slice(0, 8)}`,
          object: 'charge',
          payment_intent: intentId,
          amount_refunded: amountOverride ?? payment.amount,
        }
      : { id: intentId, object: 'payment_intent', amount: payment.amount, status: values.type.split('.')[1] }
  const event = {
    id: `evt_sim_${crypto.randomUUID().replace(/-/g, '')}`,
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    type: values.type,
    data: { object },
  }
  const payload = JSON.stringify(event)
  const response = await fetch(`${base}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Stripe-Signature': await signStripePayload(vars.STRIPE_WEBHOOK_SECRET, payload),
    },
    body: payload,
  }).catch(() => {
    throw unreachable()
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: reported as text
  }
  if (!response.ok) {
    const detail = (body as { detail?: string })?.detail ?? text.slice(0, 200)
    throw new CliError(`${base} answered ${response.status} to ${values.type}: ${detail}`)
  }
  result({ type: values.type, order: values.order, intent: intentId, status: response.status, body })
})
