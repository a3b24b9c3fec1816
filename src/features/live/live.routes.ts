import { createRoute, z } from '@hono/zod-openapi'
import { publicRoute } from '../../http/policy'
import { ProblemSchema, pick } from '../../http/schemas'
import { admin, signedIn } from '../auth'
import { LiveBookIdSchema, LiveQuerySchema, ServerFrameSchema } from './live.events'

const tags = ['Live']

const switching = {
  description:
    'Switching Protocols: a WebSocket (RFC 6455) carrying JSON text frames (see the AsyncAPI document). ' +
    'The server selects the `folio.v1` subprotocol when offered; the bearer entry is never echoed.',
  headers: z.object({
    'Sec-WebSocket-Protocol': z.string().optional().openapi({ description: 'folio.v1', example: 'folio.v1' }),
  }),
}

const eventStream = {
  description:
    'Server-Sent Events of the same channel: each frame as an SSE event (`id:` is the event id, `event:` the ' +
    'frame type, `data:` the JSON frame). Resume with Last-Event-ID.',
  content: { 'text/event-stream': { schema: ServerFrameSchema } },
}

const upgradeRequired = {
  description: 'Upgrade Required: send `Upgrade: websocket` (or `Accept: text/event-stream`)',
  content: { 'application/problem+json': { schema: ProblemSchema } },
  // Sent, but hop-by-hop (RFC 9110 §7.8): a proxy in between may drop it, so it is not declared required.
  headers: z.object({ Upgrade: z.string().optional().openapi({ example: 'websocket' }) }),
}

const unavailable = {
  description: 'Live updates are not available on this deployment (no Durable Object binding)',
  content: { 'application/problem+json': { schema: ProblemSchema } },
}

const description = (channel: string, who: string) =>
  `Subscribes to \`${channel}\` (${who}). WebSocket: \`new WebSocket(url, ['folio.v1', 'folio.bearer.' + ` +
  'accessToken])` (the token travels in `Sec-WebSocket-Protocol`, never in the URL). `?since=<event id>` resumes: ' +
  'missed events are replayed, or a `resync` frame says to refetch over HTTP. An `Origin` outside CORS_ORIGINS ' +
  'is refused (cross-site WebSocket hijacking). Clients send `{"type":"ping"}` every 30 s; a silent socket is closed.'

/** A subscription's answers: the upgrade, the event stream, 426 without either, 503 without the binding. */
const subscriptionResponses = <K extends Parameters<typeof pick>[number]>(...errors: K[]) => ({
  101: switching,
  200: eventStream,
  426: upgradeRequired,
  503: unavailable,
  ...pick(...errors),
})

const bookRoute = () =>
  createRoute({
    operationId: 'subscribeBook',
    method: 'get',
    path: '/live/books/{id}',
    ...publicRoute(),
    tags,
    summary: 'Live availability and price of one book',
    description: description('book:{id}', 'public; no token needed'),
    request: {
      params: z.object({ id: LiveBookIdSchema.openapi({ param: { name: 'id', in: 'path' } }) }),
      query: LiveQuerySchema,
    },
    responses: subscriptionResponses(400, 403, 404, 429, 500),
  })

const meRoute = () =>
  createRoute({
    operationId: 'subscribeMe',
    method: 'get',
    path: '/live/me',
    // A socket or stream acts before it answers: its session is checked before the handler runs.
    ...signedIn({ sessionCheck: 'before-handler' }),
    tags,
    summary: "Live updates of the caller's own orders and security events",
    description: description('user:{id}', 'the signed-in user only'),
    request: { query: LiveQuerySchema },
    responses: subscriptionResponses(400, 401, 403, 429, 500),
  })

const adminRoute = () =>
  createRoute({
    operationId: 'subscribeAdmin',
    method: 'get',
    path: '/live/admin',
    ...admin(),
    tags,
    summary: 'Live back-office feed: new orders, payments, refunds, low stock (admin)',
    description: description('admin', 'admins only'),
    request: { query: LiveQuerySchema },
    responses: subscriptionResponses(400, 401, 403, 429, 500),
  })

type LiveRoutes = {
  subscribeBook: ReturnType<typeof bookRoute>
  subscribeMe: ReturnType<typeof meRoute>
  subscribeAdmin: ReturnType<typeof adminRoute>
}
let routes: LiveRoutes | undefined

/**
 * The routes, built on first use: the auth feature imports this feature (for its outbox statements), so the
 * auth policy presets may not be called while the modules are still loading.
 */
export function liveRoutes(): LiveRoutes {
  routes ??= { subscribeBook: bookRoute(), subscribeMe: meRoute(), subscribeAdmin: adminRoute() }
  return routes
}
