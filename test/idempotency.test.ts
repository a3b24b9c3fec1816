import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import {
  IDEMPOTENCY_TTL_MS,
  IN_FLIGHT_LEASE_MS,
  requestFingerprint,
  withIdempotency,
} from '../src/http/idempotency'
import { ApiError } from '../src/http/problem'

const key = () => `key-${crypto.randomUUID()}`

describe('withIdempotency (Stripe rules)', () => {
  it('answers 409 to a concurrent request with the same key while the first is running', async () => {
    const db = harness.db()
    const input = {
      userId: 'usr_idem',
      key: key(),
      fingerprint: await requestFingerprint('POST', '/x', { a: 1 }),
    }
    let finish: () => void = () => {}
    let started: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      finish = resolve
    })
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const first = withIdempotency(db, input, async () => {
      started()
      await gate
      return { status: 201, body: { n: 1 } }
    })
    await running // the first request holds the key and is still working
    const second = await withIdempotency(db, input, async () => ({ status: 201, body: { n: 2 } })).catch(
      (error) => error,
    )
    expect(second).toBeInstanceOf(ApiError)
    expect(second.status).toBe(409)
    finish()
    expect(await first).toEqual({ status: 201, body: { n: 1 }, replayed: false })
    expect(await withIdempotency(db, input, async () => ({ status: 201, body: { n: 3 } }))).toEqual({
      status: 201,
      body: { n: 1 },
      replayed: true,
    })
  })

  it('forgets a key after 24 hours', async () => {
    const db = harness.db()
    const input = { userId: 'usr_idem', key: key(), fingerprint: 'f1' }
    await withIdempotency(db, input, async () => ({ status: 201, body: { n: 1 } }))
    const later = new Date(Date.now() + IDEMPOTENCY_TTL_MS + 1000)
    const reused = await withIdempotency(db, { ...input, fingerprint: 'f2', now: later }, async () => ({
      status: 201,
      body: { n: 2 },
    }))
    expect(reused).toEqual({ status: 201, body: { n: 2 }, replayed: false })
  })

  it('lets a retry take over a request abandoned mid-flight, but only the same request', async () => {
    const db = harness.db()
    const input = { userId: 'usr_idem', key: key(), fingerprint: 'same' }
    // The first attempt claims the key and dies before storing a response.
    let started: () => void = () => {}
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    void withIdempotency(db, input, () => {
      started()
      return new Promise<never>(() => {})
    })
    await running
    const claimed = await db.query.idempotencyKeys.findFirst({
      where: (table, { eq }) => eq(table.key, input.key),
    })
    expect(claimed?.responseStatus).toBeNull()
    const later = new Date(Date.now() + IN_FLIGHT_LEASE_MS + 1000)
    const other = await withIdempotency(db, { ...input, fingerprint: 'other', now: later }, async () => ({
      status: 201,
      body: {},
    })).catch((error) => error)
    expect(other.status).toBe(422)
    const retried = await withIdempotency(db, { ...input, now: later }, async () => ({
      status: 201,
      body: { n: 2 },
    }))
    expect(retried).toEqual({ status: 201, body: { n: 2 }, replayed: false })
  })

  it('fingerprints method, path and body', async () => {
    const base = await requestFingerprint('POST', '/v1/orders', { a: 1 })
    expect(await requestFingerprint('post', '/v1/orders', { a: 1 })).toBe(base)
    expect(await requestFingerprint('POST', '/v1/orders', { a: 2 })).not.toBe(base)
    expect(await requestFingerprint('POST', '/v1/other', { a: 1 })).not.toBe(base)
  })
})
