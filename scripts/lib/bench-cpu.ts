// CPU time per request class, measured in Node: workerd's timers do not advance during CPU work (a Spectre
// mitigation), so CPU cannot be observed from inside the Worker. The same app runs here through app.request over a
// libSQL file, with process.cpuUsage() deltas per request. SQLite runs in this process too, so the database's
// share (the Server-Timing `db` metric) is reported apart: on Workers, D1 runs elsewhere and is not CPU time.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { createApp } from '../../src/app.ts'
import { type Db, getLibsqlClient } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema/index.ts'
import { countBooks, seedGeneratedCatalog } from '../../src/db/seed/index.ts'
import { type BenchClass, buildClasses } from './bench-classes.ts'
import type { Send } from './bench-flows.ts'

export type CpuResult = { cpuMs: number; dbMs: number; workerCpuMs: number; samples: number }

/** A minimal in-memory stand-in for caches.default, so cached classes run the cache middleware's hit path. */
function installMemoryCache(): void {
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

async function openDatabase(books: number, log: (line: string) => void): Promise<string> {
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
  const db = drizzle(client, { schema }) as unknown as Db
  if ((await countBooks(db)) < books) {
    log(`seeding ${books} books into ${url.slice(5)} for the CPU probe`)
    await seedGeneratedCatalog(db, books)
  }
  return url
}

const dbDuration = (response: Response) =>
  Number(response.headers.get('Server-Timing')?.match(/(?:^|,\s*)db;dur=([\d.]+)/)?.[1] ?? 0)

export async function measureCpu(options: {
  books: number
  vars: Record<string, string>
  log: (line: string) => void
}): Promise<Map<string, CpuResult>> {
  const url = await openDatabase(options.books, options.log)
  if (!existsSync(url.slice(5))) throw new Error('CPU probe database missing')
  installMemoryCache()
  // The request log line is still built (its cost counts); only the terminal write is dropped.
  const print = console.log
  console.log = () => {}
  try {
    return await probeClasses(url, options)
  } finally {
    console.log = print
  }
}

async function probeClasses(url: string, options: { books: number; vars: Record<string, string> }) {
  const env = { ...options.vars, LIBSQL_URL: url }
  const app = createApp({ benchMode: true })
  let dbMs = 0
  const context = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} }
  const send: Send = async (path, init) => {
    const response = await app.request(path, init, env, context as unknown as ExecutionContext)
    dbMs += dbDuration(response)
    return response
  }
  const classes = await buildClasses({
    send,
    books: options.books,
    webhookSecret: options.vars.STRIPE_WEBHOOK_SECRET ?? '',
    workers: 1,
  })
  const results = new Map<string, CpuResult>()
  for (const benchClass of classes) {
    const run = runner(benchClass, send)
    if (!run) continue
    const samples = benchClass.expensive ? 5 : benchClass.flow ? 20 : 500
    for (let i = 0; i < (benchClass.expensive ? 2 : 50); i++) await run(i)
    dbMs = 0
    const before = process.cpuUsage()
    for (let i = 0; i < samples; i++) await run(i)
    const used = process.cpuUsage(before)
    const cpuMs = (used.user + used.system) / 1000 / samples
    const db = dbMs / samples
    results.set(benchClass.name, { cpuMs, dbMs: db, workerCpuMs: Math.max(0, cpuMs - db), samples })
  }
  return results
}

function runner(benchClass: BenchClass, send: Send): ((iteration: number) => Promise<unknown>) | null {
  if (benchClass.flow) return (iteration) => benchClass.flow!(0, iteration)
  const request = benchClass.request
  if (!request) return null
  return () =>
    send(request.path, { method: request.method ?? 'GET', headers: request.headers, body: request.body })
}
