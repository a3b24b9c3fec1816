import { and, eq, inArray, type SQL, sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { type OrderRow, orders, payments } from '../../db/schema'
import type { AuthUser } from '../../env'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { auditStatementWhen } from '../audit'
import { orderTransitionStatements } from '../live'

/**
 * The one shape of every order transition (order-lifecycle.ts, payment-events.ts): a compare-and-swap on the
 * order that writes a fresh `transition_id`, and dependent writes guarded by that id, in one batch.
 */

export type Actor = Pick<AuthUser, 'id' | 'role'>

/** One transition's statements: its live events, the swap (at `swapIndex`), then its dependents. */
export type TransitionStatements = { statements: Statement[]; swapIndex: number }

export type TransitionPlan = {
  orderId: string
  /** The states it may start from, and anything else the swap compares (refunded total, timestamps). */
  from: SQL | undefined
  set: Partial<OrderRow>
  /** Writes that must happen with the swap and only if it won (`won` is the SQL condition). */
  dependents?: (won: SQL) => Statement[]
}

/** Builds one transition's statements, to run alone (runTransition) or with others in one batch. */
export function transitionStatements(db: Db, plan: TransitionPlan, now: Date): TransitionStatements {
  const token = randomId('trn')
  const swap = db
    .update(orders)
    .set({ ...plan.set, transitionId: token, updatedAt: now })
    .where(and(eq(orders.id, plan.orderId), plan.from))
    .returning({ id: orders.id })
  const won = sql`exists (select 1 from ${orders} where ${orders.id} = ${plan.orderId} and ${orders.transitionId} = ${token})`
  // Live `order.updated` rows go BEFORE the swap, with its condition: they read the status being left and exist
  // only if the swap wins (features/live).
  const events = orderTransitionStatements(
    db,
    {
      orderId: plan.orderId,
      from: plan.from,
      status: plan.set.status,
      reason: plan.set.cancelReason === 'payment_timeout' ? 'expired' : undefined,
    },
    now,
  )
  return { statements: [...events, swap, ...(plan.dependents?.(won) ?? [])], swapIndex: events.length }
}

/**
 * Runs `before` and the transitions in one batch; tells, for each transition, whether its swap won (its swap
 * statement changed one row).
 */
export async function runTransitions(
  db: Db,
  before: Statement[],
  transitions: TransitionStatements[],
): Promise<boolean[]> {
  const results = await runBatch(db, [...before, ...transitions.flatMap((item) => item.statements)])
  let index = before.length
  return transitions.map((item) => {
    const swapped = results[index + item.swapIndex] as unknown[]
    index += item.statements.length
    return swapped.length === 1
  })
}

export async function runTransition(db: Db, plan: TransitionPlan, now: Date): Promise<boolean> {
  const [won] = await runTransitions(db, [], [transitionStatements(db, plan, now)])
  return won!
}

export const orderChanged = (id: string) =>
  new ApiError(409, {
    title: 'Order changed',
    detail: `Order ${id} changed while this request ran; fetch it and try again`,
  })

/** Payment rows still open at the gateway are cancelled with the order. */
export const cancelOpenPayment = (db: Db, orderId: string, won: SQL, now: Date) =>
  db
    .update(payments)
    .set({ status: 'canceled', updatedAt: now })
    .where(
      and(eq(payments.orderId, orderId), inArray(payments.status, ['creating', 'requires_payment']), won),
    )

export function auditIfWon(
  db: Db,
  actor: Actor | undefined,
  order: OrderRow,
  action: string,
  after: object,
  now: Date,
) {
  if (actor?.role !== 'admin') return () => []
  return (won: SQL) => [
    auditStatementWhen(
      db,
      {
        actorId: actor.id,
        action: `order.${action}`,
        targetType: 'order',
        targetId: order.id,
        before: { status: order.status, refundedAmount: order.refundedAmount },
        after: { ...after },
      },
      now,
      won,
    ),
  ]
}
