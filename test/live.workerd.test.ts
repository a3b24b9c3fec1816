import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { liveOutbox, orders } from '../src/db/schema'
import type { LiveChannelObject } from '../src/features/live'
import {
  EventFrameSchema,
  REPLAY_BUFFER_SIZE,
  ReadyFrameSchema,
  ResyncFrameSchema,
  ServerFrameSchema,
} from '../src/features/live'
import {
  checkoutRequest,
  createBook,
  createUser,
  getOrder,
  placeOrder,
  putInCart,
  stockOf,
} from './helpers/commerce'
import { api } from './helpers/http'
import { framesUntil, openLive, sessionOf, untilStored } from './helpers/live'

const LIVE = (env as unknown as { LIVE: DurableObjectNamespace<LiveChannelObject> }).LIVE
const stubOf = (channel: string) => LIVE.get(LIVE.idFromName(channel))

async function setPrice(admin: { token: string }, book: string, amount: number) {
  const response = await api('PATCH', `/v1/books/${book}`, {
    token: admin.token,
    body: { price: { amount, currency: 'EUR' } },
  })
  expect(response.status).toBe(200)
}

describe('live: book channel', () => {
  it('subscribes, then receives availability after a committed checkout (frames match the protocol schemas)', async () => {
    const book = await createBook({ stock: 1, price: 1999 })
    const socket = await openLive(`/v1/live/books/${book}`)
    expect(socket.response.status).toBe(101)
    expect(socket.response.headers.get('Sec-WebSocket-Protocol')).toBe('folio.v1')
    const ready = ReadyFrameSchema.parse(await socket.next())
    expect(ready).toEqual({ type: 'ready', channel: `book:${book}`, lastEventId: 0 })

    const customer = await createUser()
    await placeOrder(customer, [[book, 1]])
    const event = EventFrameSchema.parse(await socket.next())
    expect(event).toMatchObject({
      channel: `book:${book}`,
      id: 1,
      event: 'book.availability',
      data: { bookId: book, availability: 'out_of_stock', price: { amount: 1999, currency: 'EUR' } },
    })
    socket.close()
  })

  it('publishes nothing for a checkout that rolled back on stock: the next event is the next committed change', async () => {
    const book = await createBook({ stock: 1, price: 1000 })
    const admin = await createUser('admin')
    const [first, second] = [await createUser(), await createUser()]
    expect((await putInCart(first, book, 1)).status).toBe(200)
    expect((await putInCart(second, book, 1)).status).toBe(200)
    const socket = await openLive(`/v1/live/books/${book}`)
    await socket.next()
    expect((await checkoutRequest(first)).status).toBe(201)
    expect((await socket.next()).id).toBe(1)
    // Out of stock now: this checkout's batch fails on the CHECK constraint and is rolled back.
    expect((await checkoutRequest(second)).status).toBe(409)
    await setPrice(admin, book, 1200)
    const next = EventFrameSchema.parse(await socket.next())
    expect(next).toMatchObject({ id: 2, data: { availability: 'out_of_stock', price: { amount: 1200 } } })
    expect(await stockOf(book)).toBe(0)
    socket.close()
  })

  it('resumes after a disconnect with ?since=: the missed events in order, once, then ready', async () => {
    const book = await createBook({ stock: 20, price: 1000 })
    const admin = await createUser('admin')
    const first = await openLive(`/v1/live/books/${book}`)
    await first.next()
    await setPrice(admin, book, 1100)
    const seen = EventFrameSchema.parse(await first.next())
    first.close()
    await setPrice(admin, book, 1200)
    await setPrice(admin, book, 1300)
    // Delivery runs after each response: wait until a fresh subscriber's ready says both are stored.
    await untilStored(`/v1/live/books/${book}`, seen.id + 2)
    const resumed = await openLive(`/v1/live/books/${book}?since=${seen.id}`)
    const frames = await framesUntil(resumed, (frame) => frame.type === 'ready')
    expect(
      frames.map((frame) => [frame.type, frame.id, (frame.data?.price as { amount: number })?.amount]),
    ).toEqual([
      ['event', seen.id + 1, 1200],
      ['event', seen.id + 2, 1300],
      ['ready', undefined, undefined],
    ])
    for (const frame of frames) ServerFrameSchema.parse(frame)
    resumed.close()
  })

  it('sends resync when since is older than the replay buffer or ahead of the channel', async () => {
    const book = await createBook()
    const channel = `book:${book}` as const
    const items = Array.from({ length: REPLAY_BUFFER_SIZE + 5 }, (_, index) => ({
      outboxId: 1_000_000_000 + index,
      event: 'book.availability',
      data: { bookId: book, availability: 'in_stock', price: { amount: index, currency: 'EUR' } },
      occurredAt: Date.now(),
    }))
    await stubOf(channel).publish(channel, items)
    // Delivered twice (a redelivery): de-duplicated by outbox id, nothing renumbered.
    await stubOf(channel).publish(channel, items.slice(-3))
    const old = await openLive(`/v1/live/books/${book}?since=1`)
    expect(ResyncFrameSchema.parse(await old.next())).toEqual({ type: 'resync', channel, lastEventId: 105 })
    expect(await old.next()).toEqual({ type: 'ready', channel, lastEventId: 105 })
    old.close()
    const ahead = await openLive(`/v1/live/books/${book}?since=999`)
    expect((await ahead.next()).type).toBe('resync')
    ahead.close()
    const recent = await openLive(`/v1/live/books/${book}?since=100`)
    const frames = await framesUntil(recent, (frame) => frame.type === 'ready')
    expect(frames.map((frame) => frame.id ?? frame.type)).toEqual([101, 102, 103, 104, 105, 'ready'])
    recent.close()
  })

  it('refuses a cross-site Origin (403) and accepts a listed one', async () => {
    const book = await createBook()
    const evil = await openLive(`/v1/live/books/${book}`, { origin: 'https://evil.example' })
    expect(evil.response.status).toBe(403)
    expect(evil.response.headers.get('Content-Type')).toContain('application/problem+json')
    const shop = await openLive(`/v1/live/books/${book}`, { origin: 'https://shop.example' })
    expect(shop.response.status).toBe(101)
    shop.close()
  })
})

describe('live: user and admin channels', () => {
  it("delivers the owner's order updates; the token never reaches the request log", async () => {
    const customer = await createUser()
    const logged: string[] = []
    const original = console.log
    console.log = (...args: unknown[]) => {
      logged.push(args.join(' '))
      original(...args)
    }
    const socket = await openLive('/v1/live/me', { token: customer.token })
    console.log = original
    expect(socket.response.status).toBe(101)
    expect(socket.response.headers.get('Sec-WebSocket-Protocol')).toBe('folio.v1')
    expect(logged.join('\n')).not.toContain(customer.token)
    expect(await socket.next()).toMatchObject({ type: 'ready', channel: `user:${customer.id}` })
    const book = await createBook()
    const order = await placeOrder(customer, [[book, 1]])
    expect(
      (await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })).status,
    ).toBeLessThan(300)
    const event = EventFrameSchema.parse(await socket.next())
    expect(event).toMatchObject({
      event: 'order.updated',
      data: { orderId: order.id, status: 'cancelled', previousStatus: 'pending_payment' },
    })
    socket.close()
  })

  it('refuses the admin channel to a customer (403), a missing or bad token (401)', async () => {
    const customer = await createUser()
    expect((await openLive('/v1/live/admin', { token: customer.token })).response.status).toBe(403)
    expect((await openLive('/v1/live/me')).response.status).toBe(401)
    expect((await openLive('/v1/live/me', { token: 'not.a.token' })).response.status).toBe(401)
    const admin = await createUser('admin')
    const socket = await openLive('/v1/live/admin', { token: admin.token })
    expect(socket.response.status).toBe(101)
    expect(await socket.next()).toMatchObject({ type: 'ready', channel: 'admin' })
    socket.close()
  })

  it("closes a revoked session's socket with 4001, after telling it", async () => {
    const customer = await createUser()
    const socket = await openLive('/v1/live/me', { token: customer.token })
    await socket.next()
    const sessionId = sessionOf(customer.token)
    const other = await createUser()
    // Another user cannot revoke it (404) and nothing is published.
    expect((await api('DELETE', `/v1/me/sessions/${sessionId}`, { token: other.token })).status).toBe(404)
    expect((await api('DELETE', `/v1/me/sessions/${sessionId}`, { token: customer.token })).status).toBe(204)
    expect(await socket.next()).toMatchObject({
      type: 'event',
      event: 'session.revoked',
      data: { sessionId },
    })
    expect(await socket.closed()).toBe(4001)
    // And the revoked session cannot reconnect.
    expect((await openLive('/v1/live/me', { token: customer.token })).response.status).toBe(401)
  })
})

describe('live: unpaid order expiry by alarm', () => {
  it("runs the cron's expiry transition when the alarm on the owner's channel fires", async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 3 })
    const order = await placeOrder(customer, [[book, 2]])
    expect(await stockOf(book)).toBe(1)
    const stub = stubOf(`user:${customer.id}`)
    const key = `expire:${order.id}`
    // The checkout armed the timer through the outbox; wait until the object has it and the row is gone.
    for (;;) {
      const armed = await runInDurableObject(stub, (_, state) =>
        state.storage.sql.exec('SELECT at FROM timers WHERE key = ?', key).toArray(),
      )
      const pending = await harness.db().select().from(liveOutbox)
      if (armed.length === 1 && !pending.some((row) => row.channel === `user:${customer.id}`)) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // The payment window has passed: the order is 31 minutes old and the timer is due.
    await harness
      .db()
      .update(orders)
      .set({ createdAt: new Date(Date.now() - 31 * 60_000) })
      .where(eq(orders.id, order.id))
    await runInDurableObject(stub, (instance: LiveChannelObject) => instance.setTimer(key, Date.now() - 1))
    const socket = await openLive('/v1/live/me', { token: customer.token })
    await socket.next()
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await getOrder(customer.token, order.id)).toMatchObject({
      status: 'cancelled',
      cancelReason: 'payment_timeout',
    })
    expect(await stockOf(book)).toBe(3)
    expect(await socket.next()).toMatchObject({
      event: 'order.updated',
      data: { orderId: order.id, status: 'cancelled', previousStatus: 'pending_payment', reason: 'expired' },
    })
    socket.close()
  })
})

/** Reads an event stream until a chunk contains `marker`; everything read so far. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  seen: { text: string },
  marker: string,
) {
  const decoder = new TextDecoder()
  while (!seen.text.includes(marker)) {
    const { value, done } = await reader.read()
    if (done) throw new Error('stream ended')
    seen.text += decoder.decode(value, { stream: true })
  }
  return seen.text
}

describe('live: Server-Sent Events', () => {
  it('streams the same channel (Authorization header), with ids for Last-Event-ID, and resumes from it', async () => {
    const customer = await createUser()
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${customer.token}` }
    const response = await harness.request('/v1/live/me', { headers })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('text/event-stream')
    const reader = response.body!.getReader()
    const seen = { text: '' }
    await readUntil(reader, seen, 'event: ready')
    expect(seen.text).toContain(`data: {"type":"ready","channel":"user:${customer.id}","lastEventId":0}`)
    const book = await createBook()
    const order = await placeOrder(customer, [[book, 1]])
    expect((await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })).status).toBe(200)
    await readUntil(reader, seen, '"order.updated"')
    const block = seen.text.split('\n\n').find((part) => part.includes('"order.updated"'))!
    expect(block.split('\n').slice(0, 2)).toEqual(['id: 1', 'event: event'])
    expect(EventFrameSchema.parse(JSON.parse(block.split('\n')[2]!.slice('data: '.length)))).toMatchObject({
      id: 1,
      data: { orderId: order.id, status: 'cancelled' },
    })
    await reader.cancel()

    // EventSource's reconnect: Last-Event-ID 0 replays event 1, then ready.
    const again = await harness.request('/v1/live/me', { headers: { ...headers, 'Last-Event-ID': '0' } })
    const replay = { text: '' }
    const replayReader = again.body!.getReader()
    await readUntil(replayReader, replay, 'event: ready')
    expect(replay.text.indexOf('id: 1\nevent: event')).toBeGreaterThanOrEqual(0)
    expect(replay.text.indexOf('id: 1')).toBeLessThan(replay.text.indexOf('event: ready'))
    await replayReader.cancel()
  })

  it('a stream the client closes frees its connection slot at once (the per-user limit is not used up)', async () => {
    const customer = await createUser()
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${customer.token}` }
    // Twice the per-user limit (10), one after the other, each read to `ready` and then closed by the client.
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await harness.request('/v1/live/me', { headers })
      expect(response.status).toBe(200)
      const reader = response.body!.getReader()
      await readUntil(reader, { text: '' }, 'event: ready')
      await reader.cancel()
    }
  })
})
