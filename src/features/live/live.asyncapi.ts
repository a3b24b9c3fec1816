import { OpenAPIHono, z } from '@hono/zod-openapi'
import {
  BEARER_SUBPROTOCOL_PREFIX,
  type ChannelKind,
  CLOSE_CODES,
  EventFrameSchema,
  LIVE_EVENTS,
  LIVE_SUBPROTOCOL,
  MAX_CLIENT_FRAME_BYTES,
  PingFrameSchema,
  PongFrameSchema,
  REPLAY_BUFFER_SIZE,
  ReadyFrameSchema,
  ResyncFrameSchema,
} from './live.events'

/**
 * The AsyncAPI 3.0 document of the live channels (`GET /asyncapi.json`), generated from the zod schemas in
 * live.events.ts the same way /openapi.json is generated from the routes: the schemas go through
 * @hono/zod-openapi's registry and generator, so names, descriptions and examples set with `.openapi()` appear in
 * both documents alike. The document describes the Folio server: its `send` operations are what the server sends
 * to a subscriber, its `receive` operation what it accepts from one (AsyncAPI 3.0 §3.3, "Operation Object").
 */

export const ASYNCAPI_VERSION = '3.0.0'

type Schema = z.ZodType
type Json = Record<string, unknown>

/** The channels, in the order the document lists them, with the facts the document states about each. */
const CHANNELS: Record<
  ChannelKind,
  { address: string; title: string; description: string; secured: 'none' | 'user' | 'admin' }
> = {
  book: {
    address: '/v1/live/books/{bookId}',
    title: 'book:{id}',
    description:
      'Availability and price of one book, for product pages. Public. The exact stock is never published: ' +
      '`low_stock` means 1 to 5 copies left. An unknown book is refused with a 404 problem before the upgrade.',
    secured: 'none',
  },
  user: {
    address: '/v1/live/me',
    title: 'user:{id}',
    description:
      "The signed-in user's own orders (paid, shipped, delivered, cancelled, refunded) and security events (a " +
      'new-device sign-in, a revoked session). Only that user; the channel follows from the access token.',
    secured: 'user',
  },
  admin: {
    address: '/v1/live/admin',
    title: 'admin',
    description:
      'New orders, order status changes, refunds and low-stock alerts, for the back office. Admins only.',
    secured: 'admin',
  },
}

/**
 * Message keys in the document: the event's name, prefixed with its channel unless it already starts with it
 * (`book.availability` on book → `bookAvailability`, `order.updated` on admin → `adminOrderUpdated`).
 */
const eventKey = (kind: ChannelKind, event: string) =>
  event.startsWith(`${kind}.`) ? camel(event) : camel(kind, event)
const camel = (...parts: string[]) =>
  parts
    .flatMap((part) => part.split(/[._]/))
    .map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('')
const pascal = (...parts: string[]) => {
  const name = camel(...parts)
  return name.charAt(0).toUpperCase() + name.slice(1)
}

/** The channel names a frame on a channel of this kind may carry. */
const CHANNEL_NAME: Record<ChannelKind, Schema> = {
  book: z
    .string()
    .regex(/^book:bk_[0-9a-z]{26}$/)
    .openapi({ example: 'book:bk_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
  user: z
    .string()
    .regex(/^user:usr_[0-9a-z]{26}$/)
    .openapi({ example: 'user:usr_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
  admin: z.literal('admin'),
}

/**
 * The frame that carries one event: the generic event frame with its channel, `event` fixed and `data` that
 * event's schema. Built from EventFrameSchema's own fields, so a field added there appears here.
 */
function eventFrame(kind: ChannelKind, event: string, data: Schema): Schema {
  return z.object({ ...EventFrameSchema.shape, channel: CHANNEL_NAME[kind], event: z.literal(event), data })
}

type Message = { key: string; schemaName: string; schema: Schema; title: string; summary: string }

const CONTROL_MESSAGES = {
  ready: {
    schemaName: 'LiveReadyFrame',
    schema: ReadyFrameSchema,
    title: 'Ready',
    summary: 'Sent once, after any replay: the subscription is live from lastEventId on.',
  },
  resync: {
    schemaName: 'LiveResyncFrame',
    schema: ResyncFrameSchema,
    title: 'Resync',
    summary:
      `Sent instead of a replay when \`since\` is older than the replay buffer (the last ${REPLAY_BUFFER_SIZE} ` +
      'events) or ahead of the channel: refetch over HTTP, then carry on from lastEventId.',
  },
  pong: {
    schemaName: 'LivePongFrame',
    schema: PongFrameSchema,
    title: 'Pong',
    summary: 'The answer to a ping (a hibernation auto-response: the channel object is not woken).',
  },
  ping: {
    schemaName: 'LivePingFrame',
    schema: PingFrameSchema,
    title: 'Ping',
    summary: `A heartbeat from the client. Frames over ${MAX_CLIENT_FRAME_BYTES} bytes close the socket (1009).`,
  },
} satisfies Record<string, Omit<Message, 'key'>>

function eventMessages(kind: ChannelKind): Message[] {
  return Object.entries(LIVE_EVENTS[kind] as Record<string, Schema>).map(([event, data]) => ({
    key: eventKey(kind, event),
    schemaName: `Live${pascal(eventKey(kind, event))}Event`,
    schema: eventFrame(kind, event, data),
    title: event,
    summary: `The \`${event}\` event on ${CHANNELS[kind].title}.`,
  }))
}

/** JSON Schema of every frame, through the same generator as /openapi.json (shared parts as `$ref`s). */
function componentSchemas(messages: Message[]): Json {
  const generator = new OpenAPIHono()
  for (const { schemaName, schema } of messages) generator.openAPIRegistry.register(schemaName, schema)
  const document = generator.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Folio Live schemas', version: ASYNCAPI_VERSION },
  })
  return asJsonSchemaExamples(document.components?.schemas ?? {}) as Json
}

/**
 * OpenAPI's `example` keyword becomes JSON Schema's `examples` array: AsyncAPI's default schema format is JSON
 * Schema draft 07 (AsyncAPI 3.0 §3.3, "Schema Object"), which has no `example`.
 */
function asJsonSchemaExamples(node: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => asJsonSchemaExamples(item))
  if (!node || typeof node !== 'object') return node
  const entries = Object.entries(node).map(([key, value]): [string, unknown] =>
    key === 'example' && !isPropertyMap
      ? ['examples', [value]]
      : [key, asJsonSchemaExamples(value, !isPropertyMap && key === 'properties')],
  )
  return Object.fromEntries(entries)
}

/** `http://localhost:8787` → `{ host: 'localhost:8787', protocol: 'ws' }`; https becomes wss. */
function liveServer(publicApiUrl: string) {
  const url = new URL(publicApiUrl)
  return {
    host: url.host,
    protocol: url.protocol === 'https:' ? 'wss' : 'ws',
    title: 'Folio API',
    description:
      'WebSocket upgrades on the API origin. Every channel address also answers `Accept: text/event-stream` ' +
      '(Server-Sent Events of the same frames; `Authorization: Bearer` header, resume with `Last-Event-ID`).',
  }
}

const SECURITY_SCHEMES = {
  bearerSubprotocol: {
    // AsyncAPI 3.0 has no scheme for a token carried in the subprotocol list; httpApiKey in the
    // Sec-WebSocket-Protocol header is the closest (the `http` bearer scheme names the Authorization header,
    // which browsers cannot set on a WebSocket).
    type: 'httpApiKey',
    name: 'Sec-WebSocket-Protocol',
    in: 'header',
    description:
      `The access token (a JWT from POST /v1/auth/login) as one entry of the subprotocol list, beside ` +
      `\`${LIVE_SUBPROTOCOL}\`: \`new WebSocket(url, ['${LIVE_SUBPROTOCOL}', '${BEARER_SUBPROTOCOL_PREFIX}' + ` +
      `accessToken])\`. The server selects \`${LIVE_SUBPROTOCOL}\` and never echoes the token, which stays out of ` +
      'URLs and logs. A missing, invalid or expired token, or an ended session, is a 401 problem before the ' +
      'upgrade; another role is 403. When the session ends (logout, password change, deletion, demotion, ' +
      `revocation) the socket closes with ${CLOSE_CODES.sessionEnded}.`,
  },
}

const PROTOCOL_DESCRIPTION =
  'Realtime updates of the Folio API over WebSocket (or Server-Sent Events), one channel per address. Frames are ' +
  'JSON text. On connect the server replays what the client missed (`?since=<last event id seen>`) and sends ' +
  '`ready`; then one `event` frame per committed change, numbered per channel (`id` +1, never reused). A `since` ' +
  `older than the replay buffer (the last ${REPLAY_BUFFER_SIZE} events) gets \`resync\` instead: refetch over HTTP. ` +
  'Send `{"type":"ping"}` to check the connection; the answer is `{"type":"pong"}`.\n\n' +
  'Connect rules: an `Origin` header, when present, must be one of CORS_ORIGINS (cross-site WebSocket hijacking, ' +
  'OWASP WebSocket Security Cheat Sheet), else 403 before the upgrade. Close codes: ' +
  `${CLOSE_CODES.sessionEnded} session ended (sign in again), ${CLOSE_CODES.policy} policy (a malformed frame, ` +
  `too many frames), ${CLOSE_CODES.tooBig} frame too big, ${CLOSE_CODES.tryAgainLater} try again later, 1001 no ` +
  'heartbeat (a socket silent for 90 s). ' +
  'Refusals before the upgrade are RFC 9457 problem details, documented in /openapi.json.\n\n' +
  'This document describes the server: `send` operations are what it sends to subscribers, `receive` what it ' +
  'accepts from them.'

/** The whole document for an API published at `publicApiUrl` (PUBLIC_API_URL). */
export function buildAsyncApiDocument(publicApiUrl: string, version: string): Json {
  const channels: Json = {}
  const operations: Json = {}
  const messages: Json = {}
  const all: Message[] = Object.entries(CONTROL_MESSAGES).map(([key, message]) => ({ key, ...message }))

  for (const kind of Object.keys(CHANNELS) as ChannelKind[]) {
    const channel = CHANNELS[kind]
    const events = eventMessages(kind)
    all.push(...events)
    const channelMessages = Object.fromEntries(
      [...events.map((message) => message.key), 'ready', 'resync', 'pong', 'ping'].map((key) => [
        key,
        { $ref: `#/components/messages/${key}` },
      ]),
    )
    channels[kind] = {
      address: channel.address,
      title: channel.title,
      description: channel.description,
      ...(kind === 'book'
        ? { parameters: { bookId: { description: 'The book id (`bk_…`), as in GET /v1/books/{id}' } } }
        : {}),
      messages: channelMessages,
      bindings: { ws: wsBinding(channel.secured !== 'none') },
    }
    const security =
      channel.secured === 'none'
        ? {}
        : { security: [{ $ref: '#/components/securitySchemes/bearerSubprotocol' }] }
    const channelRef = { $ref: `#/channels/${kind}` }
    const messageRef = (key: string) => ({ $ref: `#/channels/${kind}/messages/${key}` })
    operations[camel('send', kind, 'events')] = {
      action: 'send',
      title: `Events on ${channel.title}`,
      summary: `Replay, ready, then every event on ${channel.title} as it is committed`,
      channel: channelRef,
      ...security,
      ...(channel.secured === 'admin' ? { description: 'The access token must carry the admin role.' } : {}),
      messages: [...events.map((message) => message.key), 'ready', 'resync'].map(messageRef),
    }
    operations[camel('receive', kind, 'ping')] = {
      action: 'receive',
      title: `Heartbeat on ${channel.title}`,
      summary: 'A ping from the client, answered with a pong',
      channel: channelRef,
      ...security,
      messages: [messageRef('ping')],
      reply: { channel: channelRef, messages: [messageRef('pong')] },
    }
  }

  for (const message of all) {
    messages[message.key] = {
      name: message.key,
      title: message.title,
      summary: message.summary,
      contentType: 'application/json',
      payload: { $ref: `#/components/schemas/${message.schemaName}` },
    }
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Folio Live',
      version,
      description: PROTOCOL_DESCRIPTION,
      externalDocs: { description: 'The HTTP API (OpenAPI 3.1)', url: `${publicApiUrl}/openapi.json` },
    },
    defaultContentType: 'application/json',
    servers: { api: liveServer(publicApiUrl) },
    channels,
    operations,
    components: {
      schemas: componentSchemas(all),
      messages,
      securitySchemes: SECURITY_SCHEMES,
    },
  }
}

/** The WebSocket channel binding (asyncapi/bindings websockets 0.1.0): the upgrade's query and headers. */
function wsBinding(secured: boolean): Json {
  const protocols = secured
    ? `\`${LIVE_SUBPROTOCOL}, ${BEARER_SUBPROTOCOL_PREFIX}<access token>\``
    : `\`${LIVE_SUBPROTOCOL}\``
  return {
    method: 'GET',
    query: {
      type: 'object',
      properties: {
        since: {
          type: 'string',
          pattern: '^(0|[1-9][0-9]{0,15})$',
          description:
            'Resume after this event id (the last one the client saw); without it, only new events',
        },
      },
    },
    headers: {
      type: 'object',
      properties: {
        'Sec-WebSocket-Protocol': { type: 'string', description: `The subprotocol list: ${protocols}` },
        Origin: { type: 'string', description: 'When present, one of CORS_ORIGINS' },
      },
    },
    bindingVersion: '0.1.0',
  }
}

const built = new Map<string, Json>()

/** Built once per published origin (an isolate serves one configuration, so in practice once). */
export function asyncApiDocument(publicApiUrl: string, version: string): Json {
  const key = `${publicApiUrl} ${version}`
  let document = built.get(key)
  if (!document) {
    document = buildAsyncApiDocument(publicApiUrl, version)
    built.set(key, document)
  }
  return document
}
