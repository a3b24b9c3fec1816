import { and, eq, isNull, type SQL, sql } from 'drizzle-orm'
import type { BatchResponse } from 'drizzle-orm/batch'
import { insertWhen, runBatch, type Statement } from '../db/batch'
import type { Db } from '../db/client'
import { isDatabaseUnavailable } from '../db/errors'
import { type IdempotencyKeyRow, idempotencyKeys } from '../db/schema'
import { sha256Hex } from '../lib/digest'
import { ApiError, type ProblemInit } from './problem'

/** Stripe keeps keys at least 24 hours; so do we. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

export type IdempotentResult<T> = { status: number; body: T; replayed: boolean }

type StoredError = { problem: ProblemInit }

/** What makes two requests "the same": method, path and the validated body. */
export function requestFingerprint(method: string, path: string, body: unknown): Promise<string> {
  return sha256Hex(`${method.toUpperCase()} ${path}\n${JSON.stringify(body ?? null)}`)
}

/**
 * The lease a request holds on its key while it runs. A checkout is a few database round trips and one payment
 * gateway call, which gives up after `GATEWAY_TIMEOUT_MS` (10 s, src/features/payments/stripe.ts): 30 s covers it
 * with margin. A record still in flight after its lease was abandoned (the isolate died before storing a
 * response), so a client's retry takes the key over within seconds instead of meeting 409 for minutes.
 */
export const IN_FLIGHT_LEASE_MS = 30 * 1000

/**
 * Claims the key in one conditional upsert: a fresh insert, taking over an expired record, or taking over an
 * in-flight record of the same request whose lease has run out. The takeover is a compare-and-swap on the lease:
 * it restarts `created_at` (the lease's start), so of two retries racing for an abandoned key only the first
 * matches the condition; the other sees a live lease and gets 409. Returns the lease's start, or null when a live
 * record exists.
 */
function claimStatement(db: Db, userId: string, key: string, fingerprint: string, now: Date, guard?: SQL) {
  const values = {
    userId,
    key,
    fingerprint,
    createdAt: now,
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
  }
  // With a guard (the caller's session is live): `INSERT … SELECT … WHERE guard`, so a refused caller claims nothing.
  const insert = guard
    ? insertWhen(db, idempotencyKeys, values, guard)
    : db.insert(idempotencyKeys).values(values)
  return insert
    .onConflictDoUpdate({
      target: [idempotencyKeys.userId, idempotencyKeys.key],
      set: {
        fingerprint,
        responseStatus: null,
        responseBody: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      },
      setWhere: sql`${idempotencyKeys.expiresAt} <= ${now.getTime()} OR (${idempotencyKeys.responseStatus} IS NULL AND ${idempotencyKeys.createdAt} <= ${now.getTime() - IN_FLIGHT_LEASE_MS} AND ${idempotencyKeys.fingerprint} = ${fingerprint})`,
    })
    .returning({ createdAt: idempotencyKeys.createdAt })
}

/** The key's record, read after the claim in the same batch (what a replay answers from). */
function recordRead(db: Db, userId: string, key: string) {
  return db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)))
    .limit(1)
}

function replay<T>(
  record: IdempotencyKeyRow | undefined,
  fingerprint: string,
  now: Date,
): IdempotentResult<T> {
  if (!record) throw new ApiError(409, { title: 'Idempotency conflict', detail: 'Retry the request' })
  if (record.fingerprint !== fingerprint) {
    throw new ApiError(422, {
      title: 'Idempotency key reused',
      detail: 'This Idempotency-Key was used with a different request; use a new key for a new request',
      errors: [{ pointer: '/header/Idempotency-Key', detail: 'Already used with other parameters' }],
    })
  }
  if (record.responseStatus === null || record.responseBody === null) {
    // Retry-After: when the running request's lease ends at the latest (RFC 9110 §10.2.3), at least 1 s.
    const leaseLeftMs = record.createdAt.getTime() + IN_FLIGHT_LEASE_MS - now.getTime()
    throw new ApiError(409, {
      title: 'Request in progress',
      detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
      headers: { 'Retry-After': String(Math.min(Math.max(1, Math.ceil(leaseLeftMs / 1000)), 30)) },
    })
  }
  const stored = JSON.parse(record.responseBody)
  if (record.responseStatus >= 400) {
    const { problem } = stored as StoredError
    throw new ApiError(record.responseStatus as ApiError['status'], problem)
  }
  return { status: record.responseStatus, body: stored as T, replayed: true }
}

type Lease = { userId: string; key: string; claimedAt: Date }

/**
 * `guard`: a condition the claim must meet to be made (e.g. the caller's session is live), `batch`: how the
 * claim's batch is sent (e.g. with the session check, `authenticatedBatch`), `reads`: statements sent in that
 * batch, after the claim, whose results `run` receives (so the work's first reads cost no round trip of their own).
 */
export type IdempotencyOptions<R extends readonly Statement[]> = {
  guard?: SQL
  batch?: (statements: readonly Statement[]) => Promise<readonly unknown[]>
  reads?: R
}

/** The key's row while this request still holds its lease (`created_at` is its claim time) and nothing is stored. */
const heldUnanswered = (lease: Lease) =>
  and(
    eq(idempotencyKeys.userId, lease.userId),
    eq(idempotencyKeys.key, lease.key),
    eq(idempotencyKeys.createdAt, lease.claimedAt),
    isNull(idempotencyKeys.responseStatus),
  )

/**
 * Stores the response, only while this request still holds its lease (`created_at` is its own claim time and no
 * response is stored): a request that outlived its lease and was taken over must not overwrite the answer of
 * the retry that took over.
 */
function storeStatement(db: Db, lease: Lease, status: number, body: unknown) {
  return db
    .update(idempotencyKeys)
    .set({ responseStatus: status, responseBody: JSON.stringify(body) })
    .where(heldUnanswered(lease))
    .returning({ key: idempotencyKeys.key })
}

async function store(db: Db, lease: Lease, status: number, body: unknown) {
  warnIfLost(await storeStatement(db, lease, status, body), status)
}

function warnIfLost(stored: unknown[], status: number) {
  if (stored.length === 0) {
    console.warn(
      JSON.stringify({ level: 'warn', msg: 'idempotency lease lost before the response was stored', status }),
    )
  }
}

/**
 * For a run that stores its answer in its own last batch (one round trip less): `statement` is the store (under the
 * same lease condition), and the run sets `rows` to that statement's result. A run that leaves `rows` unset has its
 * answer stored after it, as usual.
 */
export type InlineAnswer<T> = {
  statement: (status: number, body: T) => Statement
  rows?: unknown[]
  status?: number
}

/** Gives the key back (only if still this request's lease and unanswered). */
async function release(db: Db, lease: Lease) {
  await db.delete(idempotencyKeys).where(heldUnanswered(lease))
}

/**
 * Runs a write at most once per (caller, Idempotency-Key), following Stripe's rules: the first response (success
 * or error, 5xx included) is stored and returned again for a retry with the same request; the same key with
 * another request is 422; while the first is still running (within its `IN_FLIGHT_LEASE_MS` lease) a retry gets
 * 409, after the lease it takes the key over. Validation failures never reach
 * here, so nothing is stored for them. Records expire after 24 h.
 */
export async function withIdempotency<T, const R extends readonly Statement[] = []>(
  db: Db,
  input: { userId: string; key: string; fingerprint: string; now?: Date },
  run: (reads: BatchResponse<R>, answer: InlineAnswer<T>) => Promise<{ status: number; body: T }>,
  options: IdempotencyOptions<R> = {},
): Promise<IdempotentResult<T>> {
  const { userId, key, fingerprint } = input
  const now = input.now ?? new Date()
  const batch = options.batch ?? ((statements: readonly Statement[]) => runBatch(db, [...statements]))
  const claim = claimStatement(db, userId, key, fingerprint, now, options.guard)
  // One round trip: the claim, the record as it stands after it (a replay answers from it), the run's reads.
  const [claimed, records, ...reads] = (await batch([
    claim,
    recordRead(db, userId, key),
    ...(options.reads ?? []),
  ])) as [unknown[], IdempotencyKeyRow[], ...unknown[]]
  if (claimed.length !== 1) return replay<T>(records[0], fingerprint, now)
  const lease = { userId, key, claimedAt: now }
  try {
    const answer: InlineAnswer<T> = {
      statement: (status, body) => {
        answer.status = status
        return storeStatement(db, lease, status, body)
      },
    }
    const result = await run(reads as BatchResponse<R>, answer)
    if (answer.rows && answer.status === result.status) warnIfLost(answer.rows, result.status)
    else await store(db, lease, result.status, result.body)
    return { ...result, replayed: false }
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      // A transient outage is not the request's answer: release the key so a retry runs it (it may fail too).
      await release(db, lease).catch(() => {})
      throw error
    }
    const stored: StoredError =
      error instanceof ApiError
        ? { problem: { ...error.problem, headers: undefined } }
        : { problem: { title: 'Internal server error', detail: 'The original request failed unexpectedly' } }
    await store(db, lease, error instanceof ApiError ? error.status : 500, stored)
    throw error
  }
}

/** Housekeeping for the cron job: expired records are dead weight. */
export async function deleteExpiredIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db.delete(idempotencyKeys).where(sql`${idempotencyKeys.expiresAt} <= ${now.getTime()}`)
}
