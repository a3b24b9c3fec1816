import {
  ASYNCAPI_VERSION,
  CHANNELS,
  CONTROL_MESSAGES,
  camel,
  componentSchemas,
  eventMessages,
  type Json,
  type Message,
} from './live.asyncapi-messages'
import {
  BEARER_SUBPROTOCOL_PREFIX,
  type ChannelKind,
  CLOSE_CODES,
  LIVE_SUBPROTOCOL,
  REPLAY_BUFFER_SIZE,
} from './live.events'

/**
 * The AsyncAPI 3.0 document of the live channels (`GET /asyncapi.json`), generated from the zod schemas in
 * live.events.ts the same way /openapi.json is generated from the routes: the schemas go through
 * @hono/zod-openapi's registry and generator, so names, descriptions and examples set with `.openapi()` appear in
 * both documents alike. The document describes the Folio server: its `send` operations are what the server sends
 * to a subscriber, its `receive` operation what it accepts from one (AsyncAPI 3.0 §3.3, "Operation Object").
 */

export { ASYNCAPI_VERSION }

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
