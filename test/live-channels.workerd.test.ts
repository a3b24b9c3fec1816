import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { books, liveOutbox } from '../src/db/schema'
import type { LiveChannelObject } from '../src/features/live'
import { EventFrameSchema, MAX_CLIENT_FRAME_BYTES } from '../src/features/live'
import worker from '../src/index'
import { signedIn } from './helpers/accounts'
import { csvFile, csvRow, uniqueIsbn } from './helpers/catalog-feeds'
import { createBook, createUser, payOrder, placeOrder } from './helpers/commerce'
import { api } from './helpers/http'
import { importFile } from './helpers/imports'
import { type Frame, framesUntil, type LiveSocket, openLive } from './helpers/live'

const LIVE = (env as unknown as { LIVE: DurableObjectNamespace<LiveChannelObject> }).LIVE
const stubOf = (channel: string) => LIVE.get(LIVE.idFromName(channel))

/** The next event frame about `orderId` (the admin channel carries every order's events, other tests' too). */
const aboutOrder = (socket: LiveSocket, orderId: string, event: string) =>
  framesUntil(socket, (frame: Frame) => frame.event === event && frame.data?.orderId === orderId).then(
    (frames) => frames.at(-1)!,
  )

describe('live: the order lifecycle on the user and admin channels', () => {
  it('turns an order "paid" on its owner\'s channel when the webhook arrives; the admin sees it created, paid and refunded', async () => {
    const customer = await createUser()
    const admin = await createUser('admin')
    const mine = await openLive('/v1/live/me', { token: customer.token })
    const office = await openLive('/v1/live/admin', { token: admin.token })
    await mine.next()
    await office.next()
    const book = await createBook({ price: 2500 })
    const order = await placeOrder(customer, [[book, 1]])

    const created = EventFrameSchema.parse(await aboutOrder(office, order.id, 'order.created'))
    expect(created.data).toEqual({ orderId: order.id, total: order.total })

    await payOrder(order)
    expect(EventFrameSchema.parse(await mine.next())).toMatchObject({
      channel: `user:${customer.id}`,
      event: 'order.updated',
      data: { orderId: order.id, status: 'paid', previousStatus: 'pending_payment' },
    })
    const paid = EventFrameSchema.parse(await aboutOrder(office, order.id, 'order.updated'))
    expect(paid.data).toEqual({
      orderId: order.id,
      status: 'paid',
      previousStatus: 'pending_payment',
      userId: customer.id,
    })

    const refund = await api('POST', `/v1/admin/orders/${order.id}/refunds`, { token: admin.token, body: {} })
    expect(refund.status).toBe(201)
    expect(EventFrameSchema.parse(await mine.next()).data).toMatchObject({
      status: 'refunded',
      previousStatus: 'paid',
    })
    const refunded = EventFrameSchema.parse(await aboutOrder(office, order.id, 'refund.updated'))
    expect(refunded.data).toMatchObject({ orderId: order.id, status: 'succeeded' })
    mine.close()
    office.close()
  })

  it("a catalogue import's price and stock changes reach the book's channel, through the Queue", async () => {
    const admin = await createUser('admin')
    const isbn = uniqueIsbn()
    await importFile(admin.token, csvFile([csvRow({ isbn, stock: '7' })]))
    const row = await harness.db().query.books.findFirst({ where: eq(books.isbn, isbn) })
    const page = await openLive(`/v1/live/books/${row!.id}`)
    await page.next()
    const job = await importFile(admin.token, csvFile([csvRow({ isbn, price: '9.99', stock: '0' })]))
    expect(job).toMatchObject({ status: 'completed', updated: 1 })
    expect((await page.next()).data).toEqual({
      bookId: row!.id,
      availability: 'out_of_stock',
      price: { amount: 999, currency: 'EUR' },
    })
    page.close()
  })

  it('a stock change into low stock reaches the admin channel with the exact stock; the public one only the level', async () => {
    const admin = await createUser('admin')
    const book = await createBook({ stock: 7 })
    const office = await openLive('/v1/live/admin', { token: admin.token })
    const page = await openLive(`/v1/live/books/${book}`)
    await office.next()
    await page.next()
    const patch = await api('PATCH', `/v1/books/${book}`, {
      token: admin.token,
      body: { stockAdjustment: -3 },
    })
    expect(patch.status).toBe(200)
    const low = await framesUntil(
      office,
      (frame) => frame.event === 'book.low_stock' && frame.data?.bookId === book,
    )
    expect(low.at(-1)!.data).toEqual({ bookId: book, stock: 4 })
    expect((await page.next()).data).toEqual({
      bookId: book,
      availability: 'low_stock',
      price: { amount: 1500, currency: 'EUR' },
    })
    expect((await api('DELETE', `/v1/books/${book}`, { token: admin.token })).status).toBe(204)
    expect(await page.next()).toMatchObject({ event: 'book.deleted', data: { bookId: book } })
    office.close()
    page.close()
  })
})

describe('live: sessions ending close their sockets with 4001', () => {
  it("logout, and a refresh token replayed (reuse: the session is revoked), close the session's socket", async () => {
    const leaving = await signedIn()
    const socket = await openLive('/v1/live/me', { token: leaving.tokens.accessToken })
    await socket.next()
    const logout = await api('POST', '/v1/auth/logout', {
      body: { refreshToken: leaving.tokens.refreshToken },
    })
    expect(logout.status).toBe(204)
    expect(await framesUntil(socket, (frame) => frame.event === 'session.revoked')).not.toEqual([])
    expect(await socket.closed()).toBe(4001)

    const robbed = await signedIn()
    const victim = await openLive('/v1/live/me', { token: robbed.tokens.accessToken })
    await victim.next()
    const rotated = await api('POST', '/v1/auth/refresh', {
      body: { refreshToken: robbed.tokens.refreshToken },
    })
    expect(rotated.status).toBe(200)
    const replayed = await api('POST', '/v1/auth/refresh', {
      body: { refreshToken: robbed.tokens.refreshToken },
    })
    expect(replayed.status).toBe(401)
    expect(await victim.closed()).toBe(4001)
  })

  it('a demoted admin loses the admin channel at once', async () => {
    const boss = await createUser('admin')
    const demoted = await createUser('admin')
    const socket = await openLive('/v1/live/admin', { token: demoted.token })
    await socket.next()
    const patch = await api('PATCH', `/v1/admin/users/${demoted.id}`, {
      token: boss.token,
      body: { role: 'customer' },
    })
    expect(patch.status).toBe(200)
    expect(await socket.closed()).toBe(4001)
    expect((await openLive('/v1/live/admin', { token: demoted.token })).response.status).toBe(403)
  })

  it('an account deleted by an admin has its sockets closed and its channel erased', async () => {
    const boss = await createUser('admin')
    const customer = await createUser()
    const socket = await openLive('/v1/live/me', { token: customer.token })
    await socket.next()
    const book = await createBook()
    const order = await placeOrder(customer, [[book, 1]])
    expect((await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })).status).toBe(200)
    expect((await socket.next()).event).toBe('order.updated')
    expect((await api('DELETE', `/v1/admin/users/${customer.id}`, { token: boss.token })).status).toBe(204)
    expect(await socket.closed()).toBe(4001)
    // And the channel forgot its events (GDPR Art. 17): nothing about the account stays in the object.
    const stored = await runInDurableObject(stubOf(`user:${customer.id}`), (_instance, state) =>
      state.storage.sql
        .exec('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM delivered) AS n')
        .one(),
    )
    expect(stored.n).toBe(0)
  })
})

describe('live: limits and heartbeats', () => {
  it('answers a ping with a pong, closes 1009 for an oversized frame, 1008 for a malformed one', async () => {
    const book = await createBook()
    const socket = await openLive(`/v1/live/books/${book}`)
    await socket.next()
    socket.send('{"type":"ping"}')
    expect(await socket.next()).toEqual({ type: 'pong' })
    socket.send(JSON.stringify({ type: 'hello', pad: 'x'.repeat(MAX_CLIENT_FRAME_BYTES) }))
    expect(await socket.closed()).toBe(1009)
    const other = await openLive(`/v1/live/books/${book}`)
    await other.next()
    other.send('not json')
    expect(await other.closed()).toBe(1008)
  })

  it('refuses the 11th connection of one user to a channel with 429 problem details', async () => {
    const customer = await createUser()
    const sockets: LiveSocket[] = []
    for (let index = 0; index < 10; index++) {
      const socket = await openLive('/v1/live/me', { token: customer.token })
      expect(socket.response.status).toBe(101)
      sockets.push(socket)
    }
    const refused = await openLive('/v1/live/me', { token: customer.token })
    expect(refused.response.status).toBe(429)
    expect(refused.response.headers.get('Content-Type')).toContain('application/problem+json')
    for (const socket of sockets) socket.close()
  })

  it('closes a socket that stopped pinging (a dead peer) at the heartbeat sweep, and keeps one that pings', async () => {
    const book = await createBook()
    const silent = await openLive(`/v1/live/books/${book}`)
    const alive = await openLive(`/v1/live/books/${book}`)
    await silent.next()
    await alive.next()
    alive.send('{"type":"ping"}')
    expect(await alive.next()).toEqual({ type: 'pong' })
    const stub = stubOf(`book:${book}`)
    // Both connected three minutes ago; only `alive` has pinged since (the auto-response's timestamp).
    await runInDurableObject(stub, (_instance, state) => {
      for (const socket of state.getWebSockets()) {
        const attachment = socket.deserializeAttachment() as { connectedAt: number; windowStart: number }
        socket.serializeAttachment({ ...attachment, connectedAt: Date.now() - 180_000, windowStart: 0 })
      }
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await silent.closed()).toBe(1001)
    alive.send('{"type":"ping"}')
    expect(await alive.next()).toEqual({ type: 'pong' })
    alive.close()
  })
})

describe('live: redelivery', () => {
  it('the cron delivers an outbox row left behind (a delivery that failed after its commit), once', async () => {
    const book = await createBook()
    const socket = await openLive(`/v1/live/books/${book}`)
    await socket.next()
    const data = { bookId: book, availability: 'out_of_stock', price: { amount: 1, currency: 'EUR' } }
    await harness
      .db()
      .insert(liveOutbox)
      .values({ channel: `book:${book}`, event: 'book.availability', data, occurredAt: new Date() })
    const context = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env as never, context)
    await waitOnExecutionContext(context)
    expect(EventFrameSchema.parse(await socket.next())).toMatchObject({ id: 1, data })
    const left = await harness.db().select().from(liveOutbox)
    expect(left.filter((row) => row.channel === `book:${book}`)).toEqual([])
    socket.send('{"type":"ping"}')
    // The next frame is the pong: the row was not delivered twice.
    expect(await socket.next()).toEqual({ type: 'pong' })
    socket.close()
  })

  it('closes a socket that sends more than 20 frames a minute (besides pings) with 1008', async () => {
    const book = await createBook()
    const socket = await openLive(`/v1/live/books/${book}`)
    await socket.next()
    for (let index = 0; index < 21; index++) socket.send('{"type":"hello"}')
    expect(await socket.closed()).toBe(1008)
  })
})
