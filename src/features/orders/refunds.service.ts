import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { insertWhen, runBatch } from '../../db/batch'
import type { Db } from '../../db/client'
import { type OrderRow, payments, type RefundRow, type RefundStatus, refunds } from '../../db/schema'
import type { AuthUser } from '../../env'
import { decodeCursor, encodeCursor } from '../../http/pagination'
import { ApiError } from '../../http/problem'
import { money } from '../../lib/money'
import { auditStatementWhen } from '../audit'
import { liveEventStatements } from '../live'
import { gatewayFailureKind, type PaymentGateway, PaymentGatewayError } from '../payments'

/**
 * The refund protocol, for every path that returns money (admin refund, cancel of a paid order, late payment
 * after expiry) and the record of refunds made at the gateway (charge.refunded):
 *   1. the refund row is written `pending` in the same batch as the order transition that owes the money, with
 *      `next_attempt_at = now` (due at once);
 *   2. a sender claims it by moving `next_attempt_at` a lease ahead (compare-and-swap: one sender at a time),
 *      then calls the gateway with the row's id as idempotency key, so a resend never refunds twice;
 *   3. the answer is recorded: `succeeded` (or `pending` with the gateway's id while it settles), or `failed`
 *      with the failure's kind and the next attempt after a backoff; every failure is logged, without values;
 *   4. the cron job resends due rows until the gateway confirms them; an admin may list them by status and resend
 *      one at once. A row claimed but not sent because the process died is due again when its lease ends.
 * Stripe keeps idempotency keys for at least 24 hours (docs.stripe.com/api/idempotent_requests); the backoff
 * is capped well below that, so a resend after a lost answer is always recognised.
 */

/** How long a claimed send may take before the row is due again: well above the gateway timeout (10 s). */
export const REFUND_LEASE_MS = 2 * 60 * 1000
const FIRST_RETRY_MS = 60 * 1000
const MAX_RETRY_MS = 60 * 60 * 1000

/** 1 min after the first failed attempt, doubling, at most an hour. */
export const retryDelay = (attempts: number) =>
  Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS)

const UNCONFIRMED: RefundStatus[] = ['pending', 'failed']

/** A refund row to insert in the transition's batch, only if `won` holds (the transition's swap won). */
export function refundRowStatement(
  db: Db,
  input: { id: string; order: OrderRow; paymentId: string; amount: number | SQL; reason?: string | null },
  options: { createdBy?: string | null; won: SQL; status?: RefundStatus },
  now: Date,
) {
  const status = options.status ?? 'pending'
  return insertWhen(
    db,
    refunds,
    {
      id: input.id,
      orderId: input.order.id,
      paymentId: input.paymentId,
      amount: input.amount,
      currency: input.order.currency,
      status,
      reason: input.reason ?? null,
      createdBy: options.createdBy ?? null,
      attempts: 0,
      nextAttemptAt: status === 'pending' ? now : null,
      createdAt: now,
      updatedAt: now,
    },
    options.won,
  )
}

/** The back office's live `refund.updated` for a gateway answer, in the batch that records it (features/live). */
const refundEvent = (db: Db, refund: RefundRow, status: RefundStatus, when?: SQL) =>
  liveEventStatements(
    db,
    [
      {
        channel: 'admin',
        event: 'refund.updated',
        data: { refundId: refund.id, orderId: refund.orderId, status },
      },
    ],
    when,
  )

/** Unconfirmed, never accepted by the gateway, and not claimed by a sender right now. */
const sendable = (now: Date) =>
  and(
    inArray(refunds.status, UNCONFIRMED),
    isNull(refunds.providerRefundId),
    isNotNull(refunds.nextAttemptAt),
    lte(refunds.nextAttemptAt, now),
  )

/**
 * One attempt to send a refund row to the gateway, if it is due and nobody else holds it. Never throws for a
 * gateway failure: the failure is recorded on the row and logged, and the row stays due for a retry.
 * Returns the row as it is afterwards.
 */
export async function sendRefund(
  db: Db,
  gateway: PaymentGateway,
  refundId: string,
  now = new Date(),
): Promise<RefundRow> {
  const [claimed] = await db
    .update(refunds)
    .set({
      attempts: sql`${refunds.attempts} + 1`,
      nextAttemptAt: new Date(now.getTime() + REFUND_LEASE_MS),
      updatedAt: now,
    })
    .where(and(eq(refunds.id, refundId), sendable(now)))
    .returning()
  if (!claimed) return (await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) }))!
  try {
    const payment = await db.query.payments.findFirst({ where: eq(payments.id, claimed.paymentId) })
    if (!payment?.intentId) throw new PaymentGatewayError('The payment has no intent at the gateway')
    const result = await gateway.refund({
      intentId: payment.intentId,
      amount: claimed.amount,
      idempotencyKey: claimed.id,
    })
    const [[recorded]] = (await runBatch(db, [
      db
        .update(refunds)
        .set({
          status: result.status,
          providerRefundId: result.refundId,
          nextAttemptAt: null,
          lastError: null,
          updatedAt: new Date(),
        })
        .where(eq(refunds.id, refundId))
        .returning(),
      ...refundEvent(db, claimed, result.status),
    ])) as [RefundRow[]]
    return recorded!
  } catch (error) {
    const failure = gatewayFailureKind(error)
    // OWASP ASVS 7.1.1: ids, counts and the failure's kind only; never the gateway's message or an amount.
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'refund attempt failed',
        refundId,
        orderId: claimed.orderId,
        attempts: claimed.attempts,
        failure,
      }),
    )
    const [[recorded]] = (await runBatch(db, [
      db
        .update(refunds)
        .set({
          status: 'failed',
          lastError: failure,
          nextAttemptAt: new Date(now.getTime() + retryDelay(claimed.attempts)),
          updatedAt: new Date(),
        })
        .where(and(eq(refunds.id, refundId), isNull(refunds.providerRefundId)))
        .returning(),
      // Only if that update applied (the gateway had not confirmed it meanwhile).
      ...refundEvent(
        db,
        claimed,
        'failed',
        sql`exists (select 1 from ${refunds} where ${refunds.id} = ${refundId} and ${refunds.status} = 'failed' and ${refunds.providerRefundId} is null)`,
      ),
    ])) as [RefundRow[]]
    return recorded ?? claimed
  }
}

/** The cron job's part: resends every due refund (oldest due first), a bounded number per run. */
export async function retryDueRefunds(db: Db, gateway: PaymentGateway, now = new Date(), limit = 50) {
  const due = await db
    .select({ id: refunds.id })
    .from(refunds)
    .where(sendable(now))
    .orderBy(asc(refunds.nextAttemptAt))
    .limit(limit)
  let succeeded = 0
  for (const { id } of due) {
    const refund = await sendRefund(db, gateway, id, now)
    if (refund.providerRefundId) succeeded++
  }
  return { retriedRefunds: due.length, confirmedRefunds: succeeded }
}

export function toRefund(row: RefundRow) {
  return {
    id: row.id,
    orderId: row.orderId,
    amount: money(row.amount, row.currency),
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.providerRefundId ? null : (row.nextAttemptAt?.toISOString() ?? null),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

const cursorSchema = z.object({ t: z.number().int(), i: z.string() })

/** Admin: refunds newest first, optionally by status. */
export async function listRefunds(db: Db, query: { status?: RefundStatus; limit: number; cursor?: string }) {
  const after = query.cursor ? decodeCursor(query.cursor, cursorSchema) : undefined
  const rows = await db
    .select()
    .from(refunds)
    .where(
      and(
        query.status ? eq(refunds.status, query.status) : undefined,
        after
          ? or(
              lt(refunds.createdAt, new Date(after.t)),
              and(eq(refunds.createdAt, new Date(after.t)), lt(refunds.id, after.i)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(refunds.createdAt), desc(refunds.id))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return {
    data: page.map(toRefund),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor({ t: last.createdAt.getTime(), i: last.id }) : null,
  }
}

/**
 * Admin: resend an unconfirmed refund now (audited), instead of waiting for its next attempt. The same row, so
 * the same idempotency key: a refund the gateway already made is not made again. 409 once it is confirmed.
 */
export async function retryRefund(db: Db, gateway: PaymentGateway, id: string, admin: Pick<AuthUser, 'id'>) {
  const now = new Date()
  const retryable = sql`exists (select 1 from ${refunds} where ${refunds.id} = ${id} and ${refunds.status} in ('pending', 'failed') and ${refunds.providerRefundId} is null and ${refunds.nextAttemptAt} is not null)`
  const [, made] = (await runBatch(db, [
    auditStatementWhen(
      db,
      {
        actorId: admin.id,
        action: 'refund.retry',
        targetType: 'refund',
        targetId: id,
        before: null,
        after: null,
      },
      now,
      retryable,
    ),
    db
      .update(refunds)
      .set({ nextAttemptAt: now, updatedAt: now })
      .where(and(eq(refunds.id, id), retryable))
      .returning({ id: refunds.id }),
  ])) as [unknown, { id: string }[]]
  if (made.length === 0) {
    const row = await db.query.refunds.findFirst({ where: eq(refunds.id, id) })
    if (!row) throw new ApiError(404, { title: 'Refund not found', detail: `No refund has id ${id}` })
    throw new ApiError(409, {
      title: 'Refund not retryable',
      type: 'illegal-transition',
      detail: `Refund ${id} is ${row.status}${row.providerRefundId ? ' at the gateway' : ''}; nothing to resend`,
    })
  }
  return toRefund(await sendRefund(db, gateway, id, now))
}
