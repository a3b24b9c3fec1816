// The fan-out class of the bench: N WebSockets on one book channel (`GET /v1/live/books/{id}`), one admin write
// (a price change), and how long each subscriber waits for the event; plus what an idle socket costs the server
// (the workerd process's resident memory before and after the sockets open, divided by N). Sockets are Node's own
// WebSocket (undici, Node 22+), as a native client: no Origin header, the `folio.v1` subprotocol.
import { readFileSync } from 'node:fs'
import { benchAdminToken } from './bench-admin.ts'
import type { Send } from './bench-flows.ts'
import { expectStatus } from './bench-load.ts'
import { workerdProcesses } from './bench-system.ts'

export type FanoutOptions = {
  /** How many subscribers (default 1,000). */
  sockets?: number
  /** A signed-in admin's access token (the write is PATCH /v1/books/{id}). */
  adminToken: string
  bookId: string
  /** The process the workerd processes run under (Miniflare: this one): they are measured. Omit: memory n/a. */
  serverPid?: number
  /** Sockets opening at once (default 50). */
  concurrency?: number
  /** How long the sockets stay idle before memory is read (default 5 s). */
  idleSeconds?: number
  /** Writes, one after the other, each fanned out to every socket (default 1). */
  writes?: number
  log?: (line: string) => void
}

export type FanoutResult = {
  sockets: number
  /** How many writes (one event each) were fanned out. */
  writes: number
  /** Deliveries of each write's event, exactly once with the expected id: should be `sockets` × `writes`. */
  delivered: number
  /**
   * From the event's `occurredAt` (stamped by the Worker as it writes the change and its outbox row in one batch,
   * so this includes the D1 commit itself) to each delivery: the commit-to-delivery latency, a slight upper bound.
   */
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** First to last delivery of one write (the largest over the writes): the cost of fanning out to N sockets. */
  spreadMs: number
  /**
   * From the write's HTTP response to each delivery (negative: the subscriber had the event before the writer had
   * its answer).
   */
  p50FromResponseMs: number
  p99FromResponseMs: number
  /** How long a write took (request sent to response read; the median over the writes). */
  writeMs: number
  /** Seconds to open every socket and receive its `ready`. */
  connectSeconds: number
  /** workerd's resident memory growth per open idle socket; null when it cannot be read (no /proc, no pid). */
  memoryPerSocketBytes: number | null
  rssBeforeBytes: number | null
  rssAfterBytes: number | null
  /** workerd's resident memory once the sockets are closed again. */
  rssClosedBytes: number | null
}

type Frame = { type: string; id?: number; lastEventId?: number; event?: string; occurredAt?: string }

type Subscriber = {
  socket: WebSocket
  lastEventId: number
  /** performance.now() when the expected event arrived, and its occurredAt. */
  receivedAt?: number
  receivedEpochMs?: number
  occurredAt?: string
  duplicates: number
}

const wsUrl = (origin: string, path: string) => origin.replace(/^http/, 'ws') + path

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Opens one subscriber and resolves at its `ready` frame. */
function subscribe(url: string, expectedEvent: () => number | null): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['folio.v1'])
    const subscriber: Subscriber = { socket, lastEventId: -1, duplicates: 0 }
    // An idle subscriber still pings every 30 s, as clients must (the server closes a socket silent for 90 s);
    // the runtime answers without waking the channel's object.
    const heartbeat = setInterval(() => socket.send('{"type":"ping"}'), 30_000)
    socket.addEventListener('close', () => clearInterval(heartbeat))
    const timer = setTimeout(() => {
      socket.close()
      reject(new Error(`no ready frame from ${url} within 30 s`))
    }, 30_000)
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as Frame
      if (frame.type === 'ready') {
        clearTimeout(timer)
        subscriber.lastEventId = frame.lastEventId ?? 0
        resolve(subscriber)
      } else if (frame.type === 'event' && frame.id === expectedEvent()) {
        if (subscriber.receivedAt !== undefined) subscriber.duplicates++
        subscriber.receivedAt ??= performance.now()
        subscriber.receivedEpochMs ??= Date.now()
        subscriber.occurredAt ??= frame.occurredAt
      }
    })
    socket.addEventListener('error', () => {
      clearTimeout(timer)
      clearInterval(heartbeat)
      reject(new Error(`WebSocket to ${url} failed (refused or closed before ready)`))
    })
  })
}

/** Resident memory of the workerd processes under `pid` (Linux /proc), in bytes; null where it cannot be read. */
export function workerdRss(pid: number | undefined): number | null {
  let total = 0
  let found = false
  for (const current of workerdProcesses(pid)) {
    try {
      const status = readFileSync(`/proc/${current}/status`, 'utf8')
      const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN)
      if (Number.isFinite(kib)) {
        total += kib * 1024
        found = true
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found ? total : null
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function measureFanout(origin: string, options: FanoutOptions): Promise<FanoutResult> {
  const count = options.sockets ?? 1000
  const concurrency = options.concurrency ?? 50
  const log = options.log ?? (() => {})
  const path = `/v1/live/books/${options.bookId}`
  const admin = { Authorization: `Bearer ${options.adminToken}` }

  const bookResponse = await fetch(`${origin}/v1/books/${options.bookId}`, {
    headers: { 'Cache-Control': 'no-cache' },
  })
  if (!bookResponse.ok) throw new Error(`GET /v1/books/${options.bookId} answered ${bookResponse.status}`)
  const book = (await bookResponse.json()) as { price: { amount: number; currency: string } }

  // One warm socket first: the channel's object exists and its code is loaded before the baseline is taken.
  let expected: number | null = null
  const warm = await subscribe(wsUrl(origin, path), () => expected)
  await settle(1000)
  const rssBeforeBytes = workerdRss(options.serverPid)

  const subscribers: Subscriber[] = []
  const connectStarted = performance.now()
  for (let opened = 0; opened < count; opened += concurrency) {
    const batch = Math.min(concurrency, count - opened)
    subscribers.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () => subscribe(wsUrl(origin, path), () => expected)),
      )),
    )
    if (opened % 500 === 0 && opened > 0) log(`${opened} sockets open`)
  }
  const connectSeconds = (performance.now() - connectStarted) / 1000
  log(`${count} sockets open in ${connectSeconds.toFixed(1)} s`)
  // Idle for a while (the object may hibernate) before reading memory.
  await settle((options.idleSeconds ?? 5) * 1000)
  const rssAfterBytes = workerdRss(options.serverPid)

  const lastEventIds = new Set([warm, ...subscribers].map((subscriber) => subscriber.lastEventId))
  if (lastEventIds.size !== 1)
    throw new Error(`subscribers saw different lastEventIds: ${[...lastEventIds].join(', ')}`)
  const writes = options.writes ?? 1
  const fromResponse: number[] = []
  const fromOccurred: number[] = []
  const spreads: number[] = []
  const writeDurations: number[] = []
  let delivered = 0
  for (let round = 1; round <= writes; round++) {
    for (const subscriber of subscribers) {
      subscriber.receivedAt = undefined
      subscriber.receivedEpochMs = undefined
      subscriber.occurredAt = undefined
      subscriber.duplicates = 0
    }
    expected = warm.lastEventId + round
    // The write: a price change, which the book channel publishes as `book.availability`.
    const writeStarted = performance.now()
    const write = await fetch(`${origin}/v1/books/${options.bookId}`, {
      method: 'PATCH',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ price: { amount: book.price.amount + round, currency: book.price.currency } }),
    })
    await write.arrayBuffer()
    const committedAt = performance.now()
    if (write.status !== 200) throw new Error(`PATCH /v1/books/${options.bookId} answered ${write.status}`)
    writeDurations.push(committedAt - writeStarted)

    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && subscribers.some((subscriber) => subscriber.receivedAt === undefined))
      await settle(20)
    // A moment more, so that a duplicate delivery would be seen.
    await settle(500)

    const received = subscribers.filter((subscriber) => subscriber.receivedAt !== undefined)
    delivered += received.filter((subscriber) => subscriber.duplicates === 0).length
    const arrivals = received.map((subscriber) => subscriber.receivedAt! - committedAt)
    fromResponse.push(...arrivals)
    if (arrivals.length > 0) spreads.push(Math.max(...arrivals) - Math.min(...arrivals))
    for (const subscriber of received)
      if (subscriber.occurredAt)
        fromOccurred.push(subscriber.receivedEpochMs! - Date.parse(subscriber.occurredAt))
    if (writes > 1) log(`write ${round}/${writes}: ${received.length} deliveries`)
  }
  const sorted = (values: number[]) => values.sort((a, b) => a - b)
  sorted(fromResponse)
  sorted(fromOccurred)

  for (const subscriber of [warm, ...subscribers]) subscriber.socket.close(1000)
  // The book's price as it was, so repeated runs leave the bench catalog as seeded.
  const restore = await fetch(`${origin}/v1/books/${options.bookId}`, {
    method: 'PATCH',
    headers: { ...admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ price: { amount: book.price.amount, currency: book.price.currency } }),
  })
  await restore.arrayBuffer()
  if (restore.status !== 200) log(`restoring the book's price answered ${restore.status}`)
  await settle(3000)
  const rssClosedBytes = workerdRss(options.serverPid)

  const round = (value: number) => Math.round(value * 10) / 10
  const memoryPerSocketBytes =
    rssBeforeBytes !== null && rssAfterBytes !== null
      ? Math.round((rssAfterBytes - rssBeforeBytes) / count)
      : null
  return {
    sockets: count,
    writes,
    delivered,
    p50Ms: round(percentile(fromOccurred, 50)),
    p99Ms: round(percentile(fromOccurred, 99)),
    maxMs: round(fromOccurred.at(-1) ?? Number.NaN),
    spreadMs: round(Math.max(...spreads)),
    p50FromResponseMs: round(percentile(fromResponse, 50)),
    p99FromResponseMs: round(percentile(fromResponse, 99)),
    writeMs: round(percentile(sorted(writeDurations), 50)),
    connectSeconds: round(connectSeconds),
    memoryPerSocketBytes,
    rssBeforeBytes,
    rssAfterBytes,
    rssClosedBytes,
  }
}

/**
 * The fan-out class against a running server: signs the bench admin in (scripts/lib/bench-admin.ts made it),
 * picks the first in-stock book and measures N sockets on its channel.
 */
export async function runFanoutClass(
  origin: string,
  options: Omit<FanoutOptions, 'adminToken' | 'bookId'>,
): Promise<FanoutResult> {
  const send: Send = (path, init) => fetch(`${origin}${path}`, init)
  const adminToken = await benchAdminToken(send)
  const list = await expectStatus(send('/v1/books?limit=1&inStock=true'), 200)
  const [book] = ((await list.json()) as { data: { id: string }[] }).data
  if (!book) throw new Error('no book in stock in the bench catalog')
  options.log?.(`opening ${options.sockets ?? 1000} WebSockets on book:${book.id}`)
  return measureFanout(origin, { ...options, adminToken, bookId: book.id })
}
