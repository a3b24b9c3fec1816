import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { idempotencyKeys } from '../db/schema'
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
 * A request still "in flight" after this long was abandoned (the isolate died before storing its response): a
 * retry with the same request may take it over. Checkout finishes in seconds, so this never races a live one.
 */
export const ABANDONED_AFTER_MS = 5 * 60 * 1000

/**
 * Claims the key: a fresh insert, taking over an expired record, or taking over an abandoned in-flight record of
 * the same request. Returns false when a live record exists.
 */
async function claimKey(db: Db, userId: string, key: string, fingerprint: string, now: Date) {
  const claimed = await db
    .insert(idempotencyKeys)
    .values({
      userId,
      key,
      fingerprint,
      createdAt: now,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.userId, idempotencyKeys.key],
      set: {
        fingerprint,
        responseStatus: null,
        responseBody: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      },
      setWhere: sql`${idempotencyKeys.expiresAt} <= ${now.getTime()} OR (${idempotencyKeys.responseStatus} IS NULL AND ${idempotencyKeys.createdAt} <= ${now.getTime() - ABANDONED_AFTER_MS} AND ${idempotencyKeys.fingerprint} = ${fingerprint})`,
    })
    .returning({ key: idempotencyKeys.key })
  return claimed.length === 1
}

async function replay<T>(
  db: Db,
  userId: string,
  key: string,
  fingerprint: string,
): Promise<IdempotentResult<T>> {
  const record = await db.query.idempotencyKeys.findFirst({
    where: and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)),
  })
  if (!record) throw new ApiError(409, { title: 'Idempotency conflict', detail: 'Retry the request' })
  if (record.fingerprint !== fingerprint) {
    throw new ApiError(422, {
      title: 'Idempotency key reused',
      detail: 'This Idempotency-Key was used with a different request; use a new key for a new request',
      errors: [{ pointer: '/header/Idempotency-Key', detail: 'Already used with other parameters' }],
    })
  }
  if (record.responseStatus === null || record.responseBody === null) {
    throw new ApiError(409, {
      title: 'Request in progress',
      detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
      headers: { 'Retry-After': '1' },
    })
  }
  const stored = JSON.parse(record.responseBody)
  if (record.responseStatus >= 400) {
    const { problem } = stored as StoredError
    throw new ApiError(record.responseStatus as ApiError['status'], problem)
  }
  return { status: record.responseStatus, body: stored as T, replayed: true }
}

async function store(db: Db, userId: string, key: string, status: number, body: unknown) {
  await db
    .update(idempotencyKeys)
    .set({ responseStatus: status, responseBody: JSON.stringify(body) })
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)))
}

/**
 * Runs a write at most once per (caller, Idempotency-Key), following Stripe's rules: the first response (success
 * or error, 5xx included) is stored and returned again for a retry with the same request; the same key with
 * another request is 422; while the first is still running a retry gets 409. Validation failures never reach
 * here, so nothing is stored for them. Records expire after 24 h.
 */
export async function withIdempotency<T>(
  db: Db,
  input: { userId: string; key: string; fingerprint: string; now?: Date },
  run: () => Promise<{ status: number; body: T }>,
): Promise<IdempotentResult<T>> {
  const { userId, key, fingerprint } = input
  if (!(await claimKey(db, userId, key, fingerprint, input.now ?? new Date()))) {
    return replay<T>(db, userId, key, fingerprint)
  }
  try {
    const result = await run()
    await store(db, userId, key, result.status, result.body)
    return { ...result, replayed: false }
  } catch (error) {
    const stored: StoredError =
      error instanceof ApiError
        ? { problem: { ...error.problem, headers: undefined } }
        : { problem: { title: 'Internal server error', detail: 'The original request failed unexpectedly' } }
    await store(db, userId, key, error instanceof ApiError ? error.status : 500, stored)
    throw error
  }
}

/** Housekeeping for the cron job: expired records are dead weight. */
export async function deleteExpiredIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db.delete(idempotencyKeys).where(sql`${idempotencyKeys.expiresAt} <= ${now.getTime()}`)
}
