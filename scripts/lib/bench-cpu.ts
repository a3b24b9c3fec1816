// CPU time per request class, measured in Node: workerd's timers do not advance during CPU work (a Spectre
// mitigation), so CPU cannot be observed from inside the Worker. The same app runs here through app.request over a
// libSQL file, with process.cpuUsage() deltas per request. SQLite runs in this process too, so its share is
// measured apart, with process.cpuUsage() around every call of the libSQL client (execute, batch, ...): on
// Workers, D1 runs elsewhere and is not the Worker's CPU time. Requests run one at a time, so nothing else runs
// while a client call is pending.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { type Client, createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { Hono } from 'hono'
import { createApp } from '../../src/app.ts'
import { type Db, getLibsqlClient } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema/index.ts'
import { countBooks, seedGeneratedCatalog } from '../../src/db/seed/index.ts'
import { restockCheckoutBooks } from './bench-admin.ts'
import { BENCH_CLASSES, type BenchClass, buildClasses } from './bench-classes.ts'
import type { Send } from './bench-flows.ts'
import { LOG_LINE } from './bench-server.ts'

/** Per request (per flow for flows): all CPU, the libSQL client's share, and the rest (the app's). */
export type CpuResult = { cpuMs: number; sqliteMs: number; appMs: number; samples: number }

/** CPU spent inside the libSQL client's calls (SQLite and the driver's row conversion), in microseconds. */
const sqlite = { micros: 0 }

/**
 * `--cpu-replay`: for a class of GET requests, each statement (SQL and values) runs in SQLite once, and its later
 * calls get the same result set back without SQLite running (the rows are only read: drizzle maps them into new
 * objects). The app then does all its own work on the same rows with nothing between its steps: its CPU without
 * SQLite's, neither its time nor what it leaves in the CPU's caches, as on Workers, where D1 runs elsewhere.
 */
const replay = { on: false, answers: new Map<string, unknown>() }
const replayKey = (method: string, args: unknown[]) =>
  method + JSON.stringify(args, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value))

/**
 * Times every call of the shared client object in place: src/db/client.ts keeps one client per URL and wraps it
 * per request, so the app's own calls land here without a change to src/.
 */
function timeClientCalls(client: Client, evict: (() => void) | undefined): void {
  for (const method of ['execute', 'batch', 'executeMultiple', 'migrate'] as const) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>
    Object.assign(client, {
      [method]: (...args: unknown[]) => {
        const before = process.cpuUsage()
        const settle = () => {
          evict?.()
          const used = process.cpuUsage(before)
          sqlite.micros += used.user + used.system
        }
        if (!replay.on || (method !== 'execute' && method !== 'batch'))
          return original(...args).finally(settle)
        const key = replayKey(method, args)
        const answer = replay.answers.has(key)
          ? Promise.resolve(replay.answers.get(key))
          : original(...args).then((result) => {
              replay.answers.set(key, result)
              return result
            })
        return answer.finally(settle)
      },
    })
  }
}

/**
 * `--cpu-evict-mib N`: after every libSQL call, inside its timed share, reads and writes N MiB (one byte per 64-byte
 * line), as a large query's page walks do. It shows what SQLite in the same thread costs the app's own figure
 * through the CPU's caches (the app's code is the same at 10,000 and 100,000 books; what grows is SQLite's work).
 */
function cacheEviction(mib: number | undefined): (() => void) | undefined {
  if (!mib) return undefined
  const lines = new Uint8Array(mib * 1024 * 1024)
  return () => {
    for (let index = 0; index < lines.length; index += 64) lines[index]!++
  }
}

/** A minimal in-memory stand-in for caches.default, so cached classes run the cache middleware's hit path. */
export function installMemoryCache(): void {
  const entries = new Map<string, { body: ArrayBuffer; headers: [string, string][] }>()
  const cache = {
    match: async (key: string) => {
      const entry = entries.get(key)
      return entry ? new Response(entry.body.slice(0), { headers: entry.headers }) : undefined
    },
    put: async (key: string, response: Response) => {
      const headers: [string, string][] = []
      response.headers.forEach((value, name) => {
        headers.push([name, value])
      })
      entries.set(key, { body: await response.arrayBuffer(), headers })
    },
  }
  Object.assign(globalThis, { caches: { default: cache } })
}

async function openDatabase(
  books: number,
  log: (line: string) => void,
  evictMiB?: number,
): Promise<{ url: string; seeded: boolean }> {
  mkdirSync('.wrangler/bench-state', { recursive: true })
  const path = `.wrangler/bench-state/cpu-${books}.db`
  const url = `file:${path}`
  const migrateWithOwnClient = async () => {
    const client = createClient({ url })
    try {
      await migrate(drizzle(client), { migrationsFolder: './drizzle' })
    } finally {
      client.close()
    }
  }
  try {
    await migrateWithOwnClient()
  } catch {
    // Another migration history (squashed or renumbered migrations): the probe database is disposable.
    log(`${path} has another migration history; recreating it`)
    rmSync(path, { force: true })
    await migrateWithOwnClient()
  }
  const client = getLibsqlClient(url)
  timeClientCalls(client, cacheEviction(evictMiB))
  const db = drizzle(client, { schema }) as unknown as Db
  const seeded = (await countBooks(db)) < books
  if (seeded) {
    log(`seeding ${books} books into ${url.slice(5)} for the CPU probe`)
    await seedGeneratedCatalog(db, books)
  }
  await restockCheckoutBooks(db)
  return { url, seeded }
}

export type CpuOptions = {
  books: number
  vars: Record<string, string>
  log: (line: string) => void
  /** Fewer samples (a smoke run checks the shape, not the figures). */
  quick?: boolean
  /** Only these class ids (the bench's --only). */
  only?: string[]
  /** The bench's --cpu-evict-mib (see `cacheEviction`). */
  evictMiB?: number
  /** The bench's --cpu-replay (see `replay`). */
  replay?: boolean
}

/** CPU per class id, and how long seeding the probe's database took (0: it was there). */
export async function measureCpu(
  options: CpuOptions,
): Promise<{ results: Map<string, CpuResult>; seedSeconds: number }> {
  const started = performance.now()
  const { url, seeded } = await openDatabase(options.books, options.log, options.evictMiB)
  const seedSeconds = seeded ? (performance.now() - started) / 1000 : 0
  if (seeded) options.log(`seeded the CPU probe's database in ${seedSeconds.toFixed(1)} s`)
  if (!existsSync(url.slice(5))) throw new Error('CPU probe database missing')
  installMemoryCache()
  // The request log line is still built (its cost counts); only the terminal write is dropped.
  const print = console.log
  console.log = () => {}
  try {
    return { results: await probeClasses(url, options), seedSeconds }
  } finally {
    console.log = print
  }
}

/** The reference workers' counterparts here: a Hono app with one route (the floor of any route in this
 * framework), and the same with the bare worker's log line. */
const references = {
  bare: new Hono().get('*', (c) => c.text('ok')),
  'bare-log': new Hono().get('*', (c) => {
    console.log(JSON.stringify(LOG_LINE(c.req.method)))
    return c.text('ok')
  }),
}

async function probeClasses(url: string, options: CpuOptions) {
  const env = { ...options.vars, LIBSQL_URL: url }
  const app = createApp({ benchMode: true })
  const context = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} }
  const send: Send = async (path, init) =>
    app.request(path, init, env, context as unknown as ExecutionContext)
  const classes = await buildClasses(
    { send, books: options.books, webhookSecret: options.vars.STRIPE_WEBHOOK_SECRET ?? '', workers: 1 },
    options.only ? BENCH_CLASSES.filter((entry) => options.only!.includes(entry.id)) : BENCH_CLASSES,
  )
  const results = new Map<string, CpuResult>()
  const scale = options.quick ? 10 : 1
  for (const benchClass of classes) {
    const run = runner(benchClass, send)
    if (!run) continue
    replay.answers.clear()
    replay.on = Boolean(options.replay) && !benchClass.flow && (benchClass.request?.method ?? 'GET') === 'GET'
    const samples = Math.max(2, (benchClass.expensive ? 5 : benchClass.flow ? 20 : 500) / scale)
    for (let i = 0; i < (benchClass.expensive ? 2 : 200 / scale); i++) await run(i)
    // The least of three rounds (as scripts/profile.ts): a round that a GC pause, the JIT or the machine's other
    // work landed in says nothing about the request.
    let best: CpuResult | undefined
    for (let round = 0; round < (options.quick ? 1 : 3); round++) {
      sqlite.micros = 0
      const before = process.cpuUsage()
      for (let i = 0; i < samples; i++) await run(round * samples + i)
      const used = process.cpuUsage(before)
      const cpuMs = (used.user + used.system) / 1000 / samples
      const sqliteMs = sqlite.micros / 1000 / samples
      if (!best || cpuMs < best.cpuMs)
        best = { cpuMs, sqliteMs, appMs: Math.max(0, cpuMs - sqliteMs), samples }
    }
    results.set(benchClass.id, best!)
  }
  replay.on = false
  return results
}

function runner(benchClass: BenchClass, send: Send): ((iteration: number) => Promise<unknown>) | null {
  if (benchClass.flow) return (iteration) => benchClass.flow!(0, iteration)
  const request = benchClass.request
  if (!request) return null
  const init = { method: request.method ?? 'GET', headers: request.headers, body: request.body }
  // A response is read to its end, as the load generator does.
  const reference = request.reference && references[request.reference]
  if (reference) return async () => (await reference.request(request.path, init)).arrayBuffer()
  return () => send(request.path, init).then((response) => response.arrayBuffer())
}
