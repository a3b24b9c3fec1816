import type { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../env'
import { CONNECT_HEADERS } from './live.connect'
import {
  type Channel,
  CLOSE_CODES,
  DEAD_AFTER_MS,
  MAX_CLIENT_FRAME_BYTES,
  PING_FRAME,
  PONG_FRAME,
  type ServerFrame,
} from './live.events'
import { openEventStream, type Stream } from './live.sse'
import { ChannelStore, eventFrame } from './live.store'

/**
 * One channel's Durable Object (`LIVE.idFromName(channel)`): its subscribers' WebSockets, held with the WebSocket
 * Hibernation API so that an idle subscriber costs no duration (the object is evicted from memory and woken by a
 * message, a close or an alarm); its numbered events, the last REPLAY_BUFFER_SIZE of them kept for resume, and
 * the outbox ids it has stored (delivery is at least once; this makes it exactly once per channel), all in the
 * object's SQLite storage; and its timers (one alarm per object, shared by the heartbeat sweep and by timers
 * such as an unpaid order's expiry on its owner's channel).
 */

/** Per socket, kept across hibernation (serializeAttachment, at most 2 KiB). */
type Attachment = {
  userId: string | null
  sessionId: string | null
  connectedAt: number
  /** Frames the client sent in the current rate window, and when that window started. */
  windowStart: number
  windowCount: number
}

export type PublishItem = { outboxId: number; event: string; data: unknown; occurredAt: number }

const SWEEP_EVERY_MS = 60_000
/** Client frames other than the auto-answered ping: at most this many per window, then 1008. */
const CLIENT_FRAMES_PER_WINDOW = 20
const CLIENT_WINDOW_MS = 60_000
/** Defaults; LIVE_MAX_PER_USER / LIVE_MAX_PER_IP / LIVE_MAX_SOCKETS override them (e.g. for the fan-out bench). */
const DEFAULT_LIMITS = { perUser: 10, perIp: 100, total: 20_000 }

const tagOf = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  ip: (ip: string) => `ip:${ip}`,
}

function limitFrom(value: unknown, fallback: number): number {
  const parsed = Number(value)
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback
}

/**
 * The class, built on the runtime's `DurableObject` base: the Worker entry passes it in (src/index.ts), so that
 * this feature loads in Node too (the Node project and the scripts have no `cloudflare:workers`).
 */
export function liveChannelClass(base: typeof DurableObject) {
  const Base = base as typeof DurableObject<Bindings>
  return class LiveChannelObject extends Base {
    private readonly store: ChannelStore

    constructor(ctx: DurableObjectState, env: Bindings) {
      super(ctx, env)
      this.store = new ChannelStore(ctx.storage.sql)
      // A ping is answered by the runtime without waking the object; its time is readable for the dead-peer sweep.
      ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME))
    }

    // -------------------------------------------------------------------------------------------------------------
    // State

    private channel(fallback?: string): Channel {
      const stored = this.store.meta('channel')
      if (!stored && fallback) this.store.setMeta('channel', fallback)
      return (stored ?? fallback ?? 'admin') as Channel
    }

    private limits() {
      const total = limitFrom(this.env.LIVE_MAX_SOCKETS, DEFAULT_LIMITS.total)
      // `npm run bench` (BENCH_MODE) opens its thousands of sockets from one address.
      const bench = (this.env as { BENCH_MODE?: string }).BENCH_MODE === 'true'
      return {
        perUser: limitFrom(this.env.LIVE_MAX_PER_USER, DEFAULT_LIMITS.perUser),
        perIp: bench ? total : limitFrom(this.env.LIVE_MAX_PER_IP, DEFAULT_LIMITS.perIp),
        total,
      }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Connect (from the Worker, after it checked Origin, token and session)

    override async fetch(request: Request): Promise<Response> {
      const sse = request.headers.get('Accept') === 'text/event-stream'
      if (!sse && request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
        return new Response('expected a WebSocket upgrade or an event stream', { status: 426 })
      }
      const header = (name: string) => request.headers.get(name)
      const channel = this.channel(header(CONNECT_HEADERS.channel) ?? undefined)
      const userId = header(CONNECT_HEADERS.user)
      const sessionId = header(CONNECT_HEADERS.session)
      const ip = header(CONNECT_HEADERS.ip) ?? 'unknown'
      const sinceHeader = header(CONNECT_HEADERS.since)
      const since = sinceHeader === null ? null : Number(sinceHeader)

      // Connection limits, per user and per IP in this channel (OWASP WebSocket Security Cheat Sheet: resource
      // exhaustion). Refused before the upgrade; the Worker answers 429.
      const limits = this.limits()
      const streams = [...this.streams]
      const full =
        this.ctx.getWebSockets().length + streams.length >= limits.total ||
        this.ctx.getWebSockets(tagOf.ip(ip)).length + streams.filter((one) => one.ip === ip).length >=
          limits.perIp ||
        (userId !== null &&
          this.ctx.getWebSockets(tagOf.user(userId)).length +
            streams.filter((one) => one.userId === userId).length >=
            limits.perUser)
      if (full) return new Response('too many connections', { status: 429 })
      if (sse)
        return openEventStream(this.streams, { userId, sessionId, ip }, (write) =>
          this.greet(channel, since, write),
        )

      const { 0: client, 1: server } = new WebSocketPair()
      const tags = [tagOf.ip(ip)]
      if (userId) tags.push(tagOf.user(userId))
      if (sessionId) tags.push(tagOf.session(sessionId))
      this.ctx.acceptWebSocket(server, tags)
      const now = Date.now()
      const attachment: Attachment = { userId, sessionId, connectedAt: now, windowStart: now, windowCount: 0 }
      server.serializeAttachment(attachment)

      this.greet(channel, since, (text) => server.send(text))
      await this.schedule()

      const headers = new Headers()
      const protocol = header(CONNECT_HEADERS.protocol)
      if (protocol) headers.set('Sec-WebSocket-Protocol', protocol)
      return new Response(null, { status: 101, webSocket: client, headers })
    }

    /**
     * A new subscriber's first frames: the buffered events after `since` (or `resync` when they are gone, or
     * `since` is ahead), then `ready`. Synchronous: no event can be published in between, so nothing is lost or
     * doubled between the replay and the live stream.
     */
    private greet(channel: Channel, since: number | null, send: (text: string, id?: number) => void) {
      const last = this.store.lastEventId()
      if (since !== null && since !== last) {
        const oldest = this.store.oldestEventId()
        const replayable = since < last && oldest !== null && since >= oldest - 1
        if (!replayable) {
          send(JSON.stringify({ type: 'resync', channel, lastEventId: last } satisfies ServerFrame))
        } else {
          for (const row of this.store.eventsAfter(since)) {
            send(eventFrame(channel, row), row.id)
          }
        }
      }
      send(JSON.stringify({ type: 'ready', channel, lastEventId: last } satisfies ServerFrame))
    }

    /** Server-Sent Events subscribers (not hibernatable: an open stream keeps the object in memory). */
    private readonly streams = new Set<Stream>()

    // -------------------------------------------------------------------------------------------------------------
    // Publish (RPC from the Worker's outbox delivery)

    /**
     * Stores and broadcasts events, each once: an outbox id already stored is acknowledged again but not
     * renumbered or resent. Returns the outbox ids now stored (the caller deletes those rows). The storage writes
     * are durable before this call returns (the object's output gate).
     */
    async publish(channel: Channel, items: PublishItem[]): Promise<number[]> {
      this.channel(channel)
      const frames: { id: number; text: string }[] = []
      const stored: number[] = []
      const revokedSessions: string[] = []
      const closedUsers: string[] = []
      const timers: { key: string; at: number }[] = []
      const now = Date.now()
      this.ctx.storage.transactionSync(() => {
        let last = this.store.lastEventId()
        for (const item of [...items].sort((a, b) => a.outboxId - b.outboxId)) {
          stored.push(item.outboxId)
          const data = (item.data ?? {}) as Record<string, unknown>
          // Commands (live.outbox.ts): acted on, never numbered nor sent.
          if (item.event.startsWith('_')) {
            if (item.event === '_close.session' && typeof data.sessionId === 'string')
              revokedSessions.push(data.sessionId)
            if (item.event === '_close.user' && typeof data.userId === 'string') closedUsers.push(data.userId)
            if (
              item.event === '_timer.order_expiry' &&
              typeof data.orderId === 'string' &&
              typeof data.at === 'number'
            )
              timers.push({ key: timerKey.orderExpiry(data.orderId), at: data.at })
            continue
          }
          if (this.store.wasDelivered(item.outboxId)) continue
          last += 1
          const text = JSON.stringify(data)
          this.store.append(last, item.outboxId, item.event, text, item.occurredAt, now)
          frames.push({
            id: last,
            text: eventFrame(channel, {
              id: last,
              event: item.event,
              data: text,
              occurred_at: item.occurredAt,
            }),
          })
          if (item.event === 'session.revoked' && typeof data.sessionId === 'string')
            revokedSessions.push(data.sessionId)
        }
        for (const timer of timers) this.store.setTimer(timer.key, timer.at)
        this.store.commitUpTo(last, now)
      })
      for (const socket of this.ctx.getWebSockets()) {
        for (const frame of frames) {
          try {
            socket.send(frame.text)
          } catch {
            break
          }
        }
      }
      for (const stream of this.streams) for (const frame of frames) stream.write(frame.text, frame.id)
      this.closeSessions(revokedSessions)
      this.closeUsers(closedUsers)
      if (timers.length > 0) await this.schedule()
      return stored
    }

    /**
     * Closes the sockets of ended sessions with 4001 (logout, password change, deletion, demotion, revocation):
     * a socket authorised at connect must not outlive its session (OWASP Session Management Cheat Sheet).
     */
    closeSessions(sessionIds: string[]): number {
      let closed = 0
      for (const stream of this.streams) {
        if (stream.sessionId && sessionIds.includes(stream.sessionId)) {
          stream.close()
          closed++
        }
      }
      for (const sessionId of sessionIds) {
        for (const socket of this.ctx.getWebSockets(tagOf.session(sessionId))) {
          try {
            socket.close(CLOSE_CODES.sessionEnded, 'session ended')
          } catch {
            // already closing
          }
          closed++
        }
      }
      return closed
    }

    /** Closes every socket of these users with 4001 (account deleted, admin demoted). */
    closeUsers(userIds: string[]): number {
      let closed = 0
      for (const stream of this.streams) {
        if (stream.userId && userIds.includes(stream.userId)) {
          stream.close()
          closed++
        }
      }
      for (const userId of userIds) {
        for (const socket of this.ctx.getWebSockets(tagOf.user(userId))) {
          try {
            socket.close(CLOSE_CODES.sessionEnded, 'session ended')
          } catch {
            // already closing
          }
          closed++
        }
      }
      return closed
    }

    /**
     * Account deletion (GDPR Art. 17): the user's own channel closes its subscribers with 4001 and forgets
     * everything it stored (events, outbox ids, timers, alarm). An unpaid order's expiry then falls to the cron.
     */
    async forget(): Promise<void> {
      for (const stream of [...this.streams]) stream.close()
      for (const socket of this.ctx.getWebSockets()) {
        try {
          socket.close(CLOSE_CODES.sessionEnded, 'account deleted')
        } catch {
          // already closing
        }
      }
      await this.ctx.storage.deleteAlarm()
      await this.ctx.storage.deleteAll()
      this.store.createTables()
    }

    /** Subscribers now connected (for tests and the bench). */
    connections(): number {
      return this.ctx.getWebSockets().length + this.streams.size
    }

    // -------------------------------------------------------------------------------------------------------------
    // Client frames

    override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer) {
      const size =
        typeof message === 'string' ? new TextEncoder().encode(message).byteLength : message.byteLength
      if (size > MAX_CLIENT_FRAME_BYTES) return socket.close(CLOSE_CODES.tooBig, 'frame too big')
      let frame: unknown
      try {
        frame = typeof message === 'string' ? JSON.parse(message) : null
      } catch {
        frame = null
      }
      if (
        typeof frame !== 'object' ||
        frame === null ||
        typeof (frame as { type?: unknown }).type !== 'string'
      ) {
        return socket.close(CLOSE_CODES.policy, 'malformed frame')
      }
      const attachment = socket.deserializeAttachment() as Attachment
      const now = Date.now()
      if (now - attachment.windowStart >= CLIENT_WINDOW_MS) {
        attachment.windowStart = now
        attachment.windowCount = 0
      }
      attachment.windowCount += 1
      socket.serializeAttachment(attachment)
      if (attachment.windowCount > CLIENT_FRAMES_PER_WINDOW)
        return socket.close(CLOSE_CODES.policy, 'too many frames')
      // A ping spelled differently from the auto-response's exact text still gets its pong (and wakes the object).
      if ((frame as { type: string }).type === 'ping') socket.send(PONG_FRAME)
    }

    override async webSocketClose(socket: WebSocket, code: number) {
      // Complete the closing handshake (RFC 6455 §5.5.1); 1005/1006 cannot be sent back.
      try {
        socket.close(code === 1005 || code === 1006 ? 1000 : code, 'closed')
      } catch {
        // already closed
      }
    }

    override async webSocketError(socket: WebSocket) {
      try {
        socket.close(1011, 'error')
      } catch {
        // already closed
      }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Timers and the alarm

    /** Runs a due timer other than the sweep (e.g. an order's expiry). Subclasses give it meaning. */
    async runTimer(_key: string): Promise<void> {}

    /** Fires `key` at `at` (ms); an existing timer of that key is moved. */
    async setTimer(key: string, at: number): Promise<void> {
      this.store.setTimer(key, at)
      await this.schedule()
    }

    /** The alarm at the earliest timer, or at the next heartbeat sweep while sockets are open. */
    private async schedule() {
      const next = this.store.nextTimerAt()
      const sweepAt = this.ctx.getWebSockets().length > 0 ? Date.now() + SWEEP_EVERY_MS : null
      const candidates = [next, sweepAt].filter((at): at is number => at !== null)
      if (candidates.length === 0) return
      const wanted = Math.min(...candidates)
      const current = await this.ctx.storage.getAlarm()
      if (current === null || current > wanted) await this.ctx.storage.setAlarm(wanted)
    }

    override async alarm() {
      const now = Date.now()
      for (const key of this.store.dueTimers(now)) {
        // A failing timer stays (and the alarm retries); the others still run.
        try {
          await this.runTimer(key)
          this.store.dropTimer(key)
        } catch (error) {
          console.error(
            JSON.stringify({
              level: 'error',
              msg: 'live timer failed',
              timer: key.split(':')[0],
              error: String(error),
            }),
          )
          this.store.postponeTimer(key, now + SWEEP_EVERY_MS)
        }
      }
      this.sweepDeadPeers(now)
      await this.schedule()
    }

    /**
     * Heartbeats suited to hibernation: the client pings, the runtime answers without waking the object and keeps
     * the time; a socket that has not pinged for DEAD_AFTER_MS (a peer gone without a close) is closed.
     */
    private sweepDeadPeers(now: number) {
      for (const socket of this.ctx.getWebSockets()) {
        const attachment = socket.deserializeAttachment() as Attachment | null
        const pinged = this.ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime() ?? 0
        const lastSign = Math.max(pinged, attachment?.connectedAt ?? 0, attachment?.windowStart ?? 0)
        if (now - lastSign > DEAD_AFTER_MS) {
          try {
            socket.close(1001, 'no heartbeat')
          } catch {
            // already closed
          }
        }
      }
    }
  }
}

export type LiveChannelObject = InstanceType<ReturnType<typeof liveChannelClass>>

export const timerKey = {
  orderExpiry: (orderId: string) => `expire:${orderId}`,
}
