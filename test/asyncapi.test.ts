import { Validator } from '@cfworker/json-schema'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { LIVE_EVENTS, ServerFrameSchema } from '../src/features/live'
import { api, json } from './helpers/http'

/**
 * GET /asyncapi.json: the live channels as an AsyncAPI 3.0 document, generated from the zod schemas in
 * src/features/live/live.events.ts. Here its structure, and that its schemas accept exactly the frames the zod
 * schemas accept; test/asyncapi.node.test.ts runs AsyncAPI's own parser over it.
 */

type Ref = { $ref: string }
type Message = { name: string; contentType: string; payload: Ref }
type Operation = {
  action: 'send' | 'receive'
  channel: Ref
  messages: Ref[]
  security?: Ref[]
  reply?: { channel: Ref; messages: Ref[] }
}
type Channel = { address: string; messages: Record<string, Ref>; parameters?: Record<string, unknown> }
type Document = {
  asyncapi: string
  info: { title: string; version: string }
  servers: Record<string, { host: string; protocol: string }>
  channels: Record<string, Channel>
  operations: Record<string, Operation>
  components: {
    schemas: Record<string, unknown>
    messages: Record<string, Message>
    securitySchemes: Record<string, { type: string; name?: string; in?: string; description: string }>
  }
}

async function loadDocument(): Promise<Document> {
  const response = await api('GET', '/asyncapi.json')
  expect(response.status).toBe(200)
  return json<Document>(response)
}

/** The node at a local `#/a/b` pointer (RFC 6901). */
function resolvePointer(document: unknown, ref: string): unknown {
  expect(ref, 'a local reference').toMatch(/^#\//)
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document)
}

/** Every `$ref` in the document, with where it sits. */
function references(node: unknown, at = '#'): { at: string; ref: string }[] {
  if (!node || typeof node !== 'object') return []
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : references(value, `${at}/${key}`),
  )
}

/** Inlines the document's `$ref`s, so one schema validates on its own. */
function dereference(node: unknown, document: Document): unknown {
  if (Array.isArray(node)) return node.map((item) => dereference(item, document))
  if (!node || typeof node !== 'object') return node
  const ref = (node as Partial<Ref>).$ref
  if (ref) return dereference(resolvePointer(document, ref), document)
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, dereference(value, document)]))
}

/** A JSON Schema draft 07 validator (AsyncAPI 3.0's default schema format) for one component schema. */
const validatorFor = (document: Document, schemaRef: string) =>
  new Validator(dereference({ $ref: schemaRef }, document) as object, '7', false)

const BOOK = 'bk_8m1z4b2c3d4e5f6g7h8j9k0m1n'
const USER = 'usr_8m1z4b2c3d4e5f6g7h8j9k0m1n'
const ORDER = 'ord_8m1z4b2c3d4e5f6g7h8j9k0m1n'
const SESSION = 'ses_8m1z4b2c3d4e5f6g7h8j9k0m1n'

/** One valid event frame per channel kind and event, as the server sends them. */
const SAMPLE_DATA: Record<string, Record<string, unknown>> = {
  'book.availability': { bookId: BOOK, availability: 'low_stock', price: { amount: 1299, currency: 'EUR' } },
  'book.deleted': { bookId: BOOK },
  'user:order.updated': { orderId: ORDER, status: 'paid', previousStatus: 'pending_payment' },
  'security.signed_in': { sessionId: SESSION, device: 'Firefox on Linux', newDevice: true },
  'session.revoked': { sessionId: SESSION },
  'order.created': { orderId: ORDER, total: { amount: 2598, currency: 'EUR' } },
  'admin:order.updated': { orderId: ORDER, status: 'shipped', previousStatus: 'paid', userId: USER },
  'refund.updated': { refundId: 'rfd_01hzy3m8k2q9v7w5x4c3b2n1ma', orderId: ORDER, status: 'succeeded' },
  'book.low_stock': { bookId: BOOK, stock: 2 },
}
const CHANNEL_NAMES = { book: `book:${BOOK}`, user: `user:${USER}`, admin: 'admin' } as const

function sampleFrame(kind: keyof typeof LIVE_EVENTS, event: string) {
  const data = SAMPLE_DATA[`${kind}:${event}`] ?? SAMPLE_DATA[event]
  return {
    type: 'event',
    channel: CHANNEL_NAMES[kind],
    id: 13,
    event,
    data,
    occurredAt: '2026-12-01T14:00:00.000Z',
  }
}

describe('GET /asyncapi.json', () => {
  it('is an AsyncAPI 3.0 document, cacheable, generated for the configured PUBLIC_API_URL', async () => {
    const response = await api('GET', '/asyncapi.json', { headers: { Host: 'evil.example' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=300')
    const document = await json<Document>(response)
    expect(document.asyncapi).toBe('3.0.0')
    expect(document.info).toMatchObject({ title: 'Folio Live', version: expect.any(String) })
    // The default PUBLIC_API_URL of the test configuration, never the request's Host.
    expect(document.servers).toEqual({
      api: expect.objectContaining({ host: 'localhost:8787', protocol: 'ws' }),
    })
  })

  it('publishes wss:// for an https PUBLIC_API_URL', async () => {
    const response = await harness.requestWithEnv('/asyncapi.json', undefined, {
      PUBLIC_API_URL: 'https://api.folio.example',
    })
    const document = await json<Document>(response)
    expect(document.servers.api).toMatchObject({ host: 'api.folio.example', protocol: 'wss' })
  })

  it('lists the three channels at their /v1/live addresses, each documented in /openapi.json', async () => {
    const document = await loadDocument()
    expect(
      Object.fromEntries(Object.entries(document.channels).map(([key, value]) => [key, value.address])),
    ).toEqual({
      book: '/v1/live/books/{bookId}',
      user: '/v1/live/me',
      admin: '/v1/live/admin',
    })
    expect(Object.keys(document.channels.book!.parameters ?? {})).toEqual(['bookId'])
    const openapi = await json<{ paths: Record<string, { get?: unknown }> }>(
      await api('GET', '/openapi.json'),
    )
    for (const channel of Object.values(document.channels)) {
      const path = channel.address.replace('{bookId}', '{id}')
      expect(openapi.paths[path]?.get, `${path} in /openapi.json`).toBeDefined()
    }
  })

  it('has every event of live.events.ts as a message of its channel, plus the control frames', async () => {
    const document = await loadDocument()
    for (const [kind, events] of Object.entries(LIVE_EVENTS)) {
      const channel = document.channels[kind]!
      const titles = Object.values(channel.messages).map(
        (ref) => (resolvePointer(document, ref.$ref) as { title: string }).title,
      )
      expect(titles.sort(), kind).toEqual([...Object.keys(events), 'Ping', 'Pong', 'Ready', 'Resync'].sort())
    }
  })

  it('resolves every $ref, and each operation sends or receives messages of its own channel', async () => {
    const document = await loadDocument()
    const refs = references(document)
    expect(refs.length).toBeGreaterThan(50)
    for (const { at, ref } of refs) expect(resolvePointer(document, ref), `${at} → ${ref}`).toBeDefined()
    for (const [name, operation] of Object.entries(document.operations)) {
      const channel = operation.channel.$ref
      for (const message of [...operation.messages, ...(operation.reply?.messages ?? [])])
        expect(message.$ref.startsWith(`${channel}/messages/`), `${name}: ${message.$ref}`).toBe(true)
    }
    const sends = Object.values(document.operations).filter((operation) => operation.action === 'send')
    expect(sends.map((operation) => operation.channel.$ref).sort()).toEqual([
      '#/channels/admin',
      '#/channels/book',
      '#/channels/user',
    ])
  })

  it('states the subprotocol authentication on the user and admin channels only', async () => {
    const document = await loadDocument()
    const scheme = document.components.securitySchemes.bearerSubprotocol!
    expect(scheme).toMatchObject({ type: 'httpApiKey', name: 'Sec-WebSocket-Protocol', in: 'header' })
    expect(scheme.description).toContain("'folio.bearer.' + accessToken")
    for (const operation of Object.values(document.operations)) {
      const secured = operation.channel.$ref !== '#/channels/book'
      expect(operation.security ?? [], operation.channel.$ref).toEqual(
        secured ? [{ $ref: '#/components/securitySchemes/bearerSubprotocol' }] : [],
      )
    }
  })

  it('its payload schemas accept the frames the zod schemas accept, and refuse the ones they refuse', async () => {
    const document = await loadDocument()
    for (const [kind, events] of Object.entries(LIVE_EVENTS) as [keyof typeof LIVE_EVENTS, object][]) {
      for (const event of Object.keys(events)) {
        const frame = sampleFrame(kind, event)
        expect(ServerFrameSchema.safeParse(frame).success, `${kind} ${event}: a valid sample`).toBe(true)
        const [message] = Object.values(document.channels[kind]!.messages)
          .map((ref) => resolvePointer(document, ref.$ref) as Message & { title: string })
          .filter((candidate) => candidate.title === event)
        expect(message, `${kind} ${event}`).toBeDefined()
        const validator = validatorFor(document, message!.payload.$ref)
        expect(validator.validate(frame).errors, `${kind} ${event}`).toEqual([])
        const { data: _data, ...withoutData } = frame
        expect(validator.validate(withoutData).valid, `${kind} ${event} without data`).toBe(false)
        expect(validator.validate({ ...frame, event: 'nope' }).valid, `${kind} ${event} renamed`).toBe(false)
        expect(validator.validate({ ...frame, data: {} }).valid, `${kind} ${event} empty data`).toBe(false)
      }
    }
    const ready = { type: 'ready', channel: CHANNEL_NAMES.book, lastEventId: 12 }
    expect(ServerFrameSchema.safeParse(ready).success).toBe(true)
    const readyMessage = resolvePointer(document, '#/components/messages/ready') as Message
    expect(validatorFor(document, readyMessage.payload.$ref).validate(ready).errors).toEqual([])
    expect(validatorFor(document, readyMessage.payload.$ref).validate({ type: 'ready' }).valid).toBe(false)
  })

  it('is itself documented in /openapi.json, unmetered like the other operational documents', async () => {
    const openapi = await json<{
      paths: Record<string, Record<string, { 'x-folio-policy': { preset: string }; security: unknown[] }>>
    }>(await api('GET', '/openapi.json'))
    const operation = openapi.paths['/asyncapi.json']?.get
    expect(operation).toMatchObject({ operationId: 'getAsyncApiDocument', security: [] })
    expect(operation?.['x-folio-policy'].preset).toBe('unmetered')
  })
})
