import { z } from '@hono/zod-openapi'
import { ORDER_STATUSES, REFUND_STATUSES } from '../../db/schema'

/**
 * Folio Live: every frame and event of the realtime protocol (/work/wt/LIVE-PROTOCOL.md, README "Live updates").
 * These schemas are the single source: the Durable Object and the publishers build frames from them, the tests
 * parse what arrives with them, and the AsyncAPI 3.0 document is generated from them. Self-contained on purpose
 * (ids are re-declared, not imported from other features) so that every feature may import this file's face
 * without an import cycle.
 */

const id = (prefix: string, what: string, example: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `Not a ${what} id`)
    .openapi({ example })

export const LiveBookIdSchema = id('bk', 'book', 'bk_8m1z4b2c3d4e5f6g7h8j9k0m1n')
export const LiveUserIdSchema = id('usr', 'user', 'usr_8m1z4b2c3d4e5f6g7h8j9k0m1n')
export const LiveOrderIdSchema = id('ord', 'order', 'ord_8m1z4b2c3d4e5f6g7h8j9k0m1n')
export const LiveSessionIdSchema = id('ses', 'session', 'ses_8m1z4b2c3d4e5f6g7h8j9k0m1n')
export const LiveRefundIdSchema = id('rfd', 'refund', 'rfd_01hzy3m8k2q9v7w5x4c3b2n1ma')

const LiveMoneySchema = z.object({
  amount: z.number().int().openapi({ description: 'Integer minor units (cents)', example: 1299 }),
  currency: z.string().openapi({ example: 'EUR' }),
})

// ---------------------------------------------------------------------------------------------------------------
// Channels

export const CHANNEL_KINDS = ['book', 'user', 'admin'] as const
export type ChannelKind = (typeof CHANNEL_KINDS)[number]

/** `book:{id}`, `user:{id}` or `admin`: the name of a channel, which is also its Durable Object's name. */
export const ChannelSchema = z
  .string()
  .regex(/^(book:bk_[0-9a-z]{26}|user:usr_[0-9a-z]{26}|admin)$/, 'Not a channel')
  .openapi({ example: 'book:bk_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

export type Channel = `book:${string}` | `user:${string}` | 'admin'

export const channelName = {
  book: (bookId: string): Channel => `book:${bookId}`,
  user: (userId: string): Channel => `user:${userId}`,
  admin: (): Channel => 'admin',
}

/** The kind of a channel name (`book:bk_…` → `book`), or null when it is not one. */
export function channelKind(channel: string): ChannelKind | null {
  if (!ChannelSchema.safeParse(channel).success) return null
  return channel === 'admin' ? 'admin' : (channel.split(':')[0] as ChannelKind)
}

// ---------------------------------------------------------------------------------------------------------------
// Event data, by channel

export const AVAILABILITIES = ['in_stock', 'low_stock', 'out_of_stock'] as const
export type Availability = (typeof AVAILABILITIES)[number]
/** low_stock is 1 to LOW_STOCK_MAX copies left; the exact stock is never published on the public channel. */
export const LOW_STOCK_MAX = 5

export function availabilityOf(stock: number): Availability {
  if (stock <= 0) return 'out_of_stock'
  return stock <= LOW_STOCK_MAX ? 'low_stock' : 'in_stock'
}

export const BookAvailabilityDataSchema = z
  .object({
    bookId: LiveBookIdSchema,
    availability: z.enum(AVAILABILITIES),
    price: LiveMoneySchema,
  })
  .openapi('LiveBookAvailability', { description: 'Sent when availability or price changes' })

export const BookDeletedDataSchema = z.object({ bookId: LiveBookIdSchema }).openapi('LiveBookDeleted')

export const OrderUpdatedDataSchema = z
  .object({
    orderId: LiveOrderIdSchema,
    status: z.enum(ORDER_STATUSES),
    previousStatus: z.enum(ORDER_STATUSES),
    reason: z.enum(['expired']).optional().openapi({
      description: 'Present when an unpaid order was cancelled because its payment window closed',
    }),
  })
  .openapi('LiveOrderUpdated', {
    description:
      'An order changed status (paid, shipped, delivered, cancelled, refunded, partially_refunded)',
  })

export const AdminOrderUpdatedDataSchema = OrderUpdatedDataSchema.extend({
  userId: LiveUserIdSchema,
}).openapi('LiveAdminOrderUpdated')

export const SecuritySignedInDataSchema = z
  .object({
    sessionId: LiveSessionIdSchema,
    device: z
      .string()
      .openapi({ description: 'A short device label from the User-Agent', example: 'Firefox on Linux' }),
    newDevice: z.boolean(),
  })
  .openapi('LiveSecuritySignedIn')

export const SessionRevokedDataSchema = z
  .object({ sessionId: LiveSessionIdSchema })
  .openapi('LiveSessionRevoked')

export const OrderCreatedDataSchema = z
  .object({ orderId: LiveOrderIdSchema, total: LiveMoneySchema })
  .openapi('LiveOrderCreated')

export const RefundUpdatedDataSchema = z
  .object({ refundId: LiveRefundIdSchema, orderId: LiveOrderIdSchema, status: z.enum(REFUND_STATUSES) })
  .openapi('LiveRefundUpdated')

export const BookLowStockDataSchema = z
  .object({ bookId: LiveBookIdSchema, stock: z.number().int().min(0) })
  .openapi('LiveBookLowStock', {
    description: `Stock fell to ${LOW_STOCK_MAX} or fewer copies (admins only)`,
  })

/** Every event name, per channel kind, with its data schema. */
export const LIVE_EVENTS = {
  book: {
    'book.availability': BookAvailabilityDataSchema,
    'book.deleted': BookDeletedDataSchema,
  },
  user: {
    'order.updated': OrderUpdatedDataSchema,
    'security.signed_in': SecuritySignedInDataSchema,
    'session.revoked': SessionRevokedDataSchema,
  },
  admin: {
    'order.created': OrderCreatedDataSchema,
    'order.updated': AdminOrderUpdatedDataSchema,
    'refund.updated': RefundUpdatedDataSchema,
    'book.low_stock': BookLowStockDataSchema,
  },
} as const

type Events = typeof LIVE_EVENTS
export type LiveEventName<K extends ChannelKind = ChannelKind> = K extends ChannelKind
  ? keyof Events[K] & string
  : never
export type LiveEventData<K extends ChannelKind, E extends LiveEventName<K>> = z.infer<
  Events[K][E & keyof Events[K]] & z.ZodType
>

/** A publishable event: what an outbox row holds (channel, event, data). */
export type LiveMessage =
  | {
      [E in LiveEventName<'book'>]: { channel: `book:${string}`; event: E; data: LiveEventData<'book', E> }
    }[LiveEventName<'book'>]
  | {
      [E in LiveEventName<'user'>]: { channel: `user:${string}`; event: E; data: LiveEventData<'user', E> }
    }[LiveEventName<'user'>]
  | {
      [E in LiveEventName<'admin'>]: { channel: 'admin'; event: E; data: LiveEventData<'admin', E> }
    }[LiveEventName<'admin'>]

/** The data schema of `event` on `channel`, or null when that channel has no such event. */
export function eventDataSchema(channel: string, event: string): z.ZodType | null {
  const kind = channelKind(channel)
  if (!kind) return null
  const events: Record<string, z.ZodType> = LIVE_EVENTS[kind]
  return Object.hasOwn(events, event) ? events[event]! : null
}

// ---------------------------------------------------------------------------------------------------------------
// Frames (JSON text)

const EventIdSchema = z
  .number()
  .int()
  .min(1)
  .openapi({ description: 'Per channel, +1 per event, never reused' })
const LastEventIdSchema = z
  .number()
  .int()
  .min(0)
  .openapi({ description: 'The id of the newest event on the channel (0: none yet)' })

/** Server → client, once, after any replay. */
export const ReadyFrameSchema = z
  .object({ type: z.literal('ready'), channel: ChannelSchema, lastEventId: LastEventIdSchema })
  .openapi('LiveReadyFrame')

/** Server → client: one event. `event` and `data` are one of LIVE_EVENTS for the channel's kind. */
export const EventFrameSchema = z
  .object({
    type: z.literal('event'),
    channel: ChannelSchema,
    id: EventIdSchema,
    event: z.string().openapi({ example: 'book.availability' }),
    data: z.record(z.string(), z.unknown()),
    occurredAt: z.iso.datetime().openapi({ description: 'When the change was committed (RFC 3339, UTC)' }),
  })
  .superRefine((frame, ctx) => {
    const schema = eventDataSchema(frame.channel, frame.event)
    if (!schema) ctx.addIssue({ code: 'custom', message: `No event ${frame.event} on ${frame.channel}` })
    else if (!schema.safeParse(frame.data).success)
      ctx.addIssue({ code: 'custom', message: `Data does not match ${frame.event}` })
  })
  .openapi('LiveEventFrame')

/** Server → client, instead of a replay: `since` is older than the replay buffer or ahead of the channel. */
export const ResyncFrameSchema = z
  .object({ type: z.literal('resync'), channel: ChannelSchema, lastEventId: LastEventIdSchema })
  .openapi('LiveResyncFrame', { description: 'Refetch over HTTP, then resume from lastEventId' })

/** Server → client: the hibernation auto-response to a ping. */
export const PongFrameSchema = z.object({ type: z.literal('pong') }).openapi('LivePongFrame')

export const ServerFrameSchema = z.union([
  ReadyFrameSchema,
  EventFrameSchema,
  ResyncFrameSchema,
  PongFrameSchema,
])
export type ServerFrame = z.infer<typeof ServerFrameSchema>

/** Client → server: answered by `{"type":"pong"}` without waking the object. */
export const PingFrameSchema = z.object({ type: z.literal('ping') }).openapi('LivePingFrame')
export const PING_FRAME = '{"type":"ping"}'
/** Clients ping every PING_INTERVAL (README); a socket silent for DEAD_AFTER is a dead peer and is closed. */
export const PING_INTERVAL_MS = 30_000
export const DEAD_AFTER_MS = 3 * PING_INTERVAL_MS
export const PONG_FRAME = '{"type":"pong"}'

// ---------------------------------------------------------------------------------------------------------------
// Connection parameters, limits and close codes

/** The subprotocol the server selects; the bearer entry carries the access token (`folio.bearer.<jwt>`). */
export const LIVE_SUBPROTOCOL = 'folio.v1'
export { BEARER_SUBPROTOCOL_PREFIX } from '../../middleware/auth'

export const LiveQuerySchema = z.object({
  since: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'Not an event id')
    .optional()
    .openapi({
      param: { name: 'since', in: 'query' },
      description: 'Resume after this event id',
      example: '12',
    }),
})

export const REPLAY_BUFFER_SIZE = 100
export const MAX_CLIENT_FRAME_BYTES = 1024

export const CLOSE_CODES = {
  /** The session behind the socket ended (logout, password change, deletion, demotion, revocation). */
  sessionEnded: 4001,
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
} as const
