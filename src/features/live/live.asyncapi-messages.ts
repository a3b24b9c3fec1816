// The messages of the live channels' AsyncAPI document (live.asyncapi.ts): the channels, the control frames and
// one event frame per channel and event of live.events.ts, with their JSON Schemas from @hono/zod-openapi.
import { OpenAPIHono, z } from '@hono/zod-openapi'
import {
  type ChannelKind,
  EventFrameSchema,
  LIVE_EVENTS,
  MAX_CLIENT_FRAME_BYTES,
  PingFrameSchema,
  PongFrameSchema,
  REPLAY_BUFFER_SIZE,
  ReadyFrameSchema,
  ResyncFrameSchema,
} from './live.events'

export const ASYNCAPI_VERSION = '3.0.0'

type Schema = z.ZodType
export type Json = Record<string, unknown>

/** The channels, in the order the document lists them, with the facts the document states about each. */
export const CHANNELS: Record<
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
export const camel = (...parts: string[]) =>
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

export type Message = { key: string; schemaName: string; schema: Schema; title: string; summary: string }

export const CONTROL_MESSAGES = {
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

export function eventMessages(kind: ChannelKind): Message[] {
  return Object.entries(LIVE_EVENTS[kind] as Record<string, Schema>).map(([event, data]) => ({
    key: eventKey(kind, event),
    schemaName: `Live${pascal(eventKey(kind, event))}Event`,
    schema: eventFrame(kind, event, data),
    title: event,
    summary: `The \`${event}\` event on ${CHANNELS[kind].title}.`,
  }))
}

/** JSON Schema of every frame, through the same generator as /openapi.json (shared parts as `$ref`s). */
export function componentSchemas(messages: Message[]): Json {
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
