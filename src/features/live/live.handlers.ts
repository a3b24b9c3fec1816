import { eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { books } from '../../db/schema'
import type { AppEnv } from '../../env'
import { ApiError } from '../../http/problem'
import type { AppRouteHandler } from '../../http/router'
import { clientIp } from '../../middleware/rate-limit'
import { CONNECT_HEADERS } from './live.connect'
import { type Channel, channelName, LIVE_SUBPROTOCOL } from './live.events'
import type { liveRoutes } from './live.routes'

type Routes = ReturnType<typeof liveRoutes>

/**
 * Cross-site WebSocket hijacking: browsers send `Origin` on every WebSocket handshake and the same-origin policy
 * does not apply to WebSockets, so the server must check it (RFC 6455 §10.2; OWASP WebSocket Security Cheat
 * Sheet). Native clients send none and are authenticated by their token alone.
 */
function checkOrigin(c: Context<AppEnv>) {
  const origin = c.req.header('Origin')
  if (!origin) return
  if (origin === new URL(c.req.url).origin || c.var.config.CORS_ORIGINS.includes(origin)) return
  throw new ApiError(403, {
    title: 'Forbidden',
    detail: 'This origin may not subscribe to live updates',
  })
}

type Mode = 'websocket' | 'sse'

/** A WebSocket upgrade, or SSE; anything else is 426 (RFC 9110 §15.5.22), naming the protocol to switch to. */
function modeOf(c: Context<AppEnv>): Mode {
  if (c.req.header('Upgrade')?.toLowerCase() === 'websocket') return 'websocket'
  if (c.req.header('Accept')?.toLowerCase().includes('text/event-stream')) return 'sse'
  throw new ApiError(426, {
    title: 'Upgrade Required',
    type: 'upgrade-required',
    detail: 'Open a WebSocket (Upgrade: websocket) or an event stream (Accept: text/event-stream)',
    headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
  })
}

/** `since` from the query (WebSocket) or `Last-Event-ID` (SSE reconnect, WHATWG HTML §9.2). */
function sinceOf(c: Context<AppEnv>, query: string | undefined): string | null {
  if (query !== undefined) return query
  const last = c.req.header('Last-Event-ID')
  return last && /^(0|[1-9][0-9]{0,15})$/.test(last) ? last : null
}

async function connect(
  c: Context<AppEnv>,
  channel: Channel,
  mode: Mode,
  since: string | null,
  user?: { id: string; sessionId: string },
): Promise<Response> {
  const namespace = c.env.LIVE
  if (!namespace) {
    throw new ApiError(503, {
      title: 'Live updates unavailable',
      detail: 'This deployment has no live channel objects; poll the HTTP API instead',
    })
  }
  const headers = new Headers({ [CONNECT_HEADERS.channel]: channel, [CONNECT_HEADERS.ip]: clientIp(c) })
  if (mode === 'websocket') headers.set('Upgrade', 'websocket')
  else headers.set('Accept', 'text/event-stream')
  if (user) {
    headers.set(CONNECT_HEADERS.user, user.id)
    headers.set(CONNECT_HEADERS.session, user.sessionId)
  }
  if (since !== null) headers.set(CONNECT_HEADERS.since, since)
  // Select folio.v1 only when offered: answering a subprotocol the client did not offer fails its handshake.
  const offered = (c.req.header('Sec-WebSocket-Protocol') ?? '').split(',').map((entry) => entry.trim())
  if (offered.includes(LIVE_SUBPROTOCOL)) headers.set(CONNECT_HEADERS.protocol, LIVE_SUBPROTOCOL)
  // A fresh request: nothing the client sent (its token above all) is passed to the object.
  const response = await namespace
    .get(namespace.idFromName(channel))
    .fetch('https://live.internal/connect', { headers })
  if (response.status === 429) {
    throw new ApiError(429, {
      title: 'Too many connections',
      detail: 'Too many live connections from this user or address on this channel; close some and retry',
      headers: { 'Retry-After': '10' },
    })
  }
  if (mode === 'websocket') {
    if (response.status !== 101 || !response.webSocket)
      throw new Error(`live connect answered ${response.status}`)
    return new Response(null, {
      status: 101,
      webSocket: response.webSocket,
      headers: new Headers(response.headers),
    })
  }
  if (!response.ok || !response.body) throw new Error(`live connect answered ${response.status}`)
  return new Response(response.body, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    },
  })
}

export const subscribeBook: AppRouteHandler<Routes['subscribeBook']> = async (c) => {
  const { id } = c.req.valid('param')
  const { since } = c.req.valid('query')
  checkOrigin(c)
  const mode = modeOf(c)
  const [book] = await c.var.db.select({ id: books.id }).from(books).where(eq(books.id, id)).limit(1)
  if (!book) throw new ApiError(404, { title: 'Not found', detail: `No book ${id}` })
  return connect(c, channelName.book(id), mode, sinceOf(c, since)) as never
}

/** The shared helpers take the app's context; a policy only narrows `c.var.user`. */
const base = (c: unknown) => c as Context<AppEnv>

export const subscribeMe: AppRouteHandler<Routes['subscribeMe']> = async (c) => {
  const { since } = c.req.valid('query')
  checkOrigin(base(c))
  const mode = modeOf(base(c))
  const user = c.var.user
  return connect(base(c), channelName.user(user.id), mode, sinceOf(base(c), since), user) as never
}

export const subscribeAdmin: AppRouteHandler<Routes['subscribeAdmin']> = async (c) => {
  const { since } = c.req.valid('query')
  checkOrigin(base(c))
  const mode = modeOf(base(c))
  const user = c.var.user
  return connect(base(c), channelName.admin(), mode, sinceOf(base(c), since), user) as never
}
