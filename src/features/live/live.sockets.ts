import type { Bindings } from '../../env'
import { CLOSE_CODES, MAX_CLIENT_FRAME_BYTES } from './live.events'
import type { Stream } from './live.sse'

/**
 * A channel object's subscribers as plain rules, apart from the object (live.channel.ts): the tags a hibernatable
 * WebSocket carries, its attachment, the connection limits, a client frame's checks and closing quietly.
 */

/** Per socket, kept across hibernation (serializeAttachment, at most 2 KiB). */
export type Attachment = {
  userId: string | null
  sessionId: string | null
  connectedAt: number
  /** Frames the client sent in the current rate window, and when that window started. */
  windowStart: number
  windowCount: number
}

/** The tags a socket is accepted with, to find a user's, a session's or an address's sockets again. */
export const tagOf = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  ip: (ip: string) => `ip:${ip}`,
}

/** Client frames other than the auto-answered ping: at most this many per window, then 1008. */
const CLIENT_FRAMES_PER_WINDOW = 20
const CLIENT_WINDOW_MS = 60_000
/** Defaults; LIVE_MAX_PER_USER / LIVE_MAX_PER_IP / LIVE_MAX_SOCKETS override them (e.g. for the fan-out bench). */
const DEFAULT_LIMITS = { perUser: 10, perIp: 100, total: 20_000 }

function limitFrom(value: unknown, fallback: number): number {
  const parsed = Number(value)
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback
}

export function connectionLimits(env: Bindings) {
  const total = limitFrom(env.LIVE_MAX_SOCKETS, DEFAULT_LIMITS.total)
  // `npm run bench` (BENCH_MODE) opens its thousands of sockets from one address.
  const bench = (env as { BENCH_MODE?: string }).BENCH_MODE === 'true'
  return {
    perUser: limitFrom(env.LIVE_MAX_PER_USER, DEFAULT_LIMITS.perUser),
    perIp: bench ? total : limitFrom(env.LIVE_MAX_PER_IP, DEFAULT_LIMITS.perIp),
    total,
  }
}

/**
 * Whether a new subscriber would pass one of this channel's limits, in all, per IP or per user (OWASP WebSocket
 * Security Cheat Sheet: resource exhaustion), counting its hibernatable sockets and its event streams.
 */
export function channelIsFull(
  ctx: DurableObjectState,
  streams: Set<Stream>,
  limits: ReturnType<typeof connectionLimits>,
  { ip, userId }: { ip: string; userId: string | null },
): boolean {
  const open = [...streams]
  return (
    ctx.getWebSockets().length + open.length >= limits.total ||
    ctx.getWebSockets(tagOf.ip(ip)).length + open.filter((one) => one.ip === ip).length >= limits.perIp ||
    (userId !== null &&
      ctx.getWebSockets(tagOf.user(userId)).length + open.filter((one) => one.userId === userId).length >=
        limits.perUser)
  )
}

/** Closes a socket that may already be closing or closed (the runtime then throws; nothing is left to do). */
export function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason)
  } catch {
    // already closing or closed
  }
}

/**
 * The checks a client frame passes before it is acted on: its size, JSON with a string `type`, and the socket's
 * rate window (kept in its attachment). A refusal is the close code and reason to end the socket with.
 */
export function checkClientFrame(
  socket: WebSocket,
  message: string | ArrayBuffer,
  now: number,
): { type: string } | { close: number; reason: string } {
  const size = typeof message === 'string' ? new TextEncoder().encode(message).byteLength : message.byteLength
  if (size > MAX_CLIENT_FRAME_BYTES) return { close: CLOSE_CODES.tooBig, reason: 'frame too big' }
  let frame: unknown
  try {
    frame = typeof message === 'string' ? JSON.parse(message) : null
  } catch {
    frame = null
  }
  if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') {
    return { close: CLOSE_CODES.policy, reason: 'malformed frame' }
  }
  const attachment = socket.deserializeAttachment() as Attachment
  if (now - attachment.windowStart >= CLIENT_WINDOW_MS) {
    attachment.windowStart = now
    attachment.windowCount = 0
  }
  attachment.windowCount += 1
  socket.serializeAttachment(attachment)
  if (attachment.windowCount > CLIENT_FRAMES_PER_WINDOW)
    return { close: CLOSE_CODES.policy, reason: 'too many frames' }
  return { type: (frame as { type: string }).type }
}
