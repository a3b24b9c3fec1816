import type { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../env'
import { CONNECT_HEADERS } from './live.connect'
import {
  type Channel,
  CLOSE_CODES,
  DEAD_AFTER_MS,
  PING_FRAME,
  PONG_FRAME,
  type ServerFrame,
} from './live.events'
import {
  type Attachment,
  channelIsFull,
  checkClientFrame,
  closeQuietly,
  connectionLimits,
  tagOf,
} from './live.sockets'
import { openEventStream, type Stream } from './live.sse'
import { ChannelStore, eventFrame, type PublishItem } from './live.store'

/**
 * One channel's Durable Object (`LIVE.idFromName(channel)`): its subscribers' WebSockets, held with the WebSocket
 * Hibernation API so that an idle subscriber costs no duration (the object is evicted from memory and woken by a
 * message, a close or an alarm); its numbered events, the last REPLAY_BUFFER_SIZE of them kept for resume, and
 * the outbox ids it has stored (delivery is at least once; this makes it exactly once per channel), all in the
 * object's SQLite storage; and its timers (one alarm per object, shared by the heartbeat sweep and by timers
 * such as an unpaid order's expiry on its owner's channel).
 */

const SWEEP_EVERY_MS = 60_000

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

      // Connection limits (live.sockets.ts), refused before the upgrade; the Worker answers 429.
      if (channelIsFull(this.ctx, this.streams, connectionLimits(this.env), { ip, userId })) {
        return new Response('too many connections', { status: 429 })
      }
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
      const { frames, stored, revokedSessions, closedUsers, timers } = this.ctx.storage.transactionSync(() =>
        this.store.storeBatch(channel, items, Date.now()),
      )
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
      return this.closeSubscribers(
        (stream) => !!stream.sessionId && sessionIds.includes(stream.sessionId),
        sessionIds.map(tagOf.session),
      )
    }

    /** Closes every socket of these users with 4001 (account deleted, admin demoted). */
    closeUsers(userIds: string[]): number {
      return this.closeSubscribers(
        (stream) => !!stream.userId && userIds.includes(stream.userId),
        userIds.map(tagOf.user),
      )
    }

    /** Closes the event streams that match and the sockets of these tags with 4001; how many it closed. */
    private closeSubscribers(matches: (stream: Stream) => boolean, tags: string[]): number {
      let closed = 0
      for (const stream of this.streams) {
        if (matches(stream)) {
          stream.close()
          closed++
        }
      }
      for (const tag of tags) {
        for (const socket of this.ctx.getWebSockets(tag)) {
          closeQuietly(socket, CLOSE_CODES.sessionEnded, 'session ended')
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
      for (const socket of this.ctx.getWebSockets())
        closeQuietly(socket, CLOSE_CODES.sessionEnded, 'account deleted')
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
      const frame = checkClientFrame(socket, message, Date.now())
      if ('close' in frame) return socket.close(frame.close, frame.reason)
      // A ping spelled differently from the auto-response's exact text still gets its pong (and wakes the object).
      if (frame.type === 'ping') socket.send(PONG_FRAME)
    }

    override async webSocketClose(socket: WebSocket, code: number) {
      // Complete the closing handshake (RFC 6455 §5.5.1); 1005/1006 cannot be sent back.
      closeQuietly(socket, code === 1005 || code === 1006 ? 1000 : code, 'closed')
    }

    override async webSocketError(socket: WebSocket) {
      closeQuietly(socket, 1011, 'error')
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
        if (now - lastSign > DEAD_AFTER_MS) closeQuietly(socket, 1001, 'no heartbeat')
      }
    }
  }
}

export type LiveChannelObject = InstanceType<ReturnType<typeof liveChannelClass>>
