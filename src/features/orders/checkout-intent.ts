import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { payments } from '../../db/schema'
import type { InlineAnswer } from '../../http/idempotency'
import { ApiError } from '../../http/problem'
import { gatewayFailureKind, type PaymentGateway } from '../payments'
import { abandonCheckout } from './order-lifecycle'
import { type OrderAggregate, orderAggregateReads, toAggregate, toOrder } from './order-views'
import type { Order } from './orders.schemas'

// The payment side of a checkout: the gateway intent, opened after the checkout batch committed, recorded on the
// order's payment row (src/features/orders/checkout.service.ts).

/**
 * Creates the gateway intent and records it on the payment row; returns the order as it then stands (the update
 * and the reads go in one batch). A gateway failure abandons the checkout (stock released, cart restored): 502.
 */
export type IntentInput = {
  orderId: string
  userId: string
  paymentId: string
  lines: { bookId: string; quantity: number }[]
  total: number
  currency: string
}

export async function createGatewayIntent(db: Db, provider: PaymentGateway, input: IntentInput) {
  const intent = await openGatewayIntent(db, provider, input)
  const [, ...reads] = await db.batch([
    intentUpdate(db, input.paymentId, intent).statement,
    ...orderAggregateReads(db, input.orderId),
  ])
  return toAggregate(input.orderId, reads)
}

/**
 * createGatewayIntent for a first attempt under an Idempotency-Key: the answer is the order as its checkout batch
 * committed it with the intent recorded on its payment, and it is stored in the intent update's batch (one round
 * trip for both; the update and the stored answer commit together or not at all).
 */
export async function createGatewayIntentAndAnswer(
  db: Db,
  provider: PaymentGateway,
  input: IntentInput,
  committed: OrderAggregate,
  answer: InlineAnswer<Order>,
): Promise<Order> {
  const intent = await openGatewayIntent(db, provider, input)
  const update = intentUpdate(db, input.paymentId, intent)
  const payment = committed.payment && { ...committed.payment, ...intentColumns(intent, update.updatedAt) }
  const view = toOrder({ ...committed, payment })
  const [, stored] = await db.batch([update.statement, answer.statement(201, view)])
  answer.rows = stored
  return view
}

type GatewayIntent = Awaited<ReturnType<PaymentGateway['createIntent']>>

const intentColumns = (intent: GatewayIntent, updatedAt: Date) => ({
  intentId: intent.intentId,
  clientSecret: intent.clientSecret,
  status: intent.status,
  updatedAt,
})

/** Records the gateway's intent on the payment row. */
function intentUpdate(db: Db, paymentId: string, intent: GatewayIntent) {
  const updatedAt = new Date()
  return {
    updatedAt,
    statement: db.update(payments).set(intentColumns(intent, updatedAt)).where(eq(payments.id, paymentId)),
  }
}

/** Creates the gateway intent; a gateway failure abandons the checkout (stock released, cart restored): 502. */
async function openGatewayIntent(
  db: Db,
  provider: PaymentGateway,
  input: IntentInput,
): Promise<GatewayIntent> {
  let intent: GatewayIntent
  try {
    intent = await provider.createIntent({
      amount: input.total,
      currency: input.currency,
      orderId: input.orderId,
      idempotencyKey: input.paymentId,
    })
  } catch (error) {
    // Logged without values (OWASP ASVS 7.1.1): which order, and the failure's kind.
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'payment intent creation failed',
        orderId: input.orderId,
        failure: gatewayFailureKind(error),
      }),
    )
    await abandonCheckout(
      db,
      {
        orderId: input.orderId,
        userId: input.userId,
        lines: input.lines.map(({ bookId, quantity }) => ({ bookId, quantity })),
      },
      'payment_setup_failed',
    )
    throw new ApiError(502, {
      title: 'Payment gateway unavailable',
      type: 'payment-gateway-error',
      detail: 'The payment could not be set up. Nothing was reserved and your cart is unchanged; try again.',
    })
  }
  return intent
}
