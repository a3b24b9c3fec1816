// `npm run bench [-- --large] [-- --seconds 6] [-- --connections 8] [-- --port 8810] [-- --fresh] [-- --dev]
//   [-- --only noop,search,fanout] [-- --smoke] [-- --out file.json] [-- --sockets 1000] [-- --writes 1]
//   [-- --idle-seconds 5] [-- --via-asset-router] [-- --cpu-evict-mib 64] [-- --cpu-replay]`
// Bundles the Worker with `wrangler deploy --dry-run`, migrates and seeds its own local D1 state (10,000 books,
// 100,000 with --large), serves the bundle with workerd through Miniflare's Node API beside a bare worker (the
// ceiling; --dev: wrangler dev instead), measures each class of scripts/lib/bench-classes.ts with autocannon in
// slices interleaved with the bare worker, reads each class's D1 round trips from Server-Timing, measures CPU per
// request in Node (scripts/lib/bench-cpu.ts), then the fan-out class (scripts/lib/bench-fanout.ts: --sockets
// WebSockets on one book channel of the same runtime, one admin write; --sockets 0 skips it), prints a markdown table and the targets as PASS/FAIL lines,
// and writes the same figures as JSON to bench-results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname } from 'node:path'
import type { Db } from '../src/db/client.ts'
import { ensureBenchAdmin, restockCheckoutBooks } from './lib/bench-admin.ts'
import { BARE_ID, BENCH_CLASSES, type BenchClass, buildClasses } from './lib/bench-classes.ts'
import { type CpuResult, measureCpu } from './lib/bench-cpu.ts'
import { runFanoutClass } from './lib/bench-fanout.ts'
import type { Send } from './lib/bench-flows.ts'
import { type LoadResult, measureFlow, measureRequest, mergeSlices, roundTrips } from './lib/bench-load.ts'
import {
  type FanoutSummary,
  fanoutFailed,
  type Row,
  renderChecks,
  renderMarkdown,
  type Summary,
  targetChecks,
} from './lib/bench-report.ts'
import {
  BENCH_CONFIG,
  type BenchServer,
  BUNDLE_DIR,
  prepareDatabase,
  startRuntime,
  startServer,
  writeBenchConfig,
} from './lib/bench-server.ts'
import { bundleSize, readConfigVars } from './lib/bench-system.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { ensureDocsAssets } from './lib/docs-assets.ts'
import { portInUse } from './lib/port.ts'

function option(name: string): string | undefined {
  // The last occurrence wins: `npm run bench:live -- --port N` appends to the alias's own options.
  const index = process.argv.lastIndexOf(`--${name}`)
  return index >= 0 ? process.argv[index + 1] : undefined
}
const numberOption = (name: string, fallback: number) => Number(option(name) ?? fallback)

/** --smoke: a small catalog, one slice per class and a short CPU probe; checks that every class runs. */
const smoke = process.argv.includes('--smoke')
const large = process.argv.includes('--large')
const dev = process.argv.includes('--dev')
const books = smoke ? 200 : large ? 100_000 : 10_000
const seconds = numberOption('seconds', 6)
const connections = numberOption('connections', 8)
const port = numberOption('port', 8810)
const only = option('only')?.split(',')
/** The fan-out class: not an HTTP class of the registry, measured after them on the same runtime. */
const FANOUT_ID = 'fanout'
const sockets = numberOption('sockets', smoke ? 50 : 1000)
const fanoutOptions = {
  sockets,
  writes: numberOption('writes', 1),
  idleSeconds: numberOption('idle-seconds', smoke ? 1 : 5),
}
const runFanout = sockets > 0 && (!only || only.includes(FANOUT_ID))
const unknown = only?.filter((id) => id !== FANOUT_ID && !BENCH_CLASSES.some((entry) => entry.id === id))
if (unknown?.length) {
  console.error(
    `bench: no class ${unknown.join(', ')}; ids: ${[...BENCH_CLASSES.map((entry) => entry.id), FANOUT_ID].join(', ')}`,
  )
  process.exit(1)
}
const httpOnly = only?.filter((id) => id !== FANOUT_ID)
const runHttp = !httpOnly || httpOnly.length > 0
const SLICES = smoke ? 1 : 3
const log = (line: string) => console.error(`[bench] ${line}`)

if (await portInUse(port, '127.0.0.1')) {
  console.error(`bench: port ${port} is in use; pick another with --port`)
  process.exit(1)
}
const secrets = await ensureDevVars()
ensureDocsAssets()
writeBenchConfig()
log('bundling (wrangler deploy --dry-run)')
const bundle = bundleSize(BUNDLE_DIR, BENCH_CONFIG)
const beforeRun = async (db: Db) => {
  await restockCheckoutBooks(db)
  if (runFanout) await ensureBenchAdmin(db, secrets.PASSWORD_PEPPER ?? '')
}
const seedSeconds = { d1: await prepareDatabase(books, log, beforeRun), cpuProbe: 0 }

log(dev ? `starting wrangler dev on 127.0.0.1:${port}` : `starting workerd (Miniflare) on 127.0.0.1:${port}`)
const server: BenchServer = dev
  ? await startServer(port, books)
  : await startRuntime(port, books, {
      bundleDir: BUNDLE_DIR,
      secrets,
      viaAssetRouter: process.argv.includes('--via-asset-router'),
    })

/** Every answer's D1 round trips go to the recorder while one is set (flows: per step, ids as `{id}`). */
let recorder: ((step: string, trips: number) => void) | undefined
const send: Send = async (path, init) => {
  const response = await fetch(`${server.origin}${path}`, init)
  recorder?.(
    `${init?.method ?? 'GET'} ${path.split('?')[0]!.replace(/\/[a-z]{2,4}_\w+/g, '/{id}')}`,
    roundTrips(response),
  )
  return response
}

const load = new Map<string, LoadResult>()
const ceilings = new Map<string, LoadResult>()
const trips = new Map<string, { roundTrips: number; detail?: string }>()
let classes: BenchClass[] = []
let fanout: FanoutSummary | undefined
const measure = (benchClass: BenchClass, slice: number): Promise<LoadResult> =>
  benchClass.request
    ? measureRequest(server.origin, server.resolve(benchClass.request), {
        connections: Math.min(connections, benchClass.maxConnections ?? connections),
        seconds: slice,
        amount: smoke ? (benchClass.expensive ? 8 : 40) : undefined,
      })
    : measureFlow(Math.max(1, connections / 2), slice, benchClass.flow!)

/** The median of five answers' round trips (a cached read re-reads the catalog version once per TTL). */
async function measureRoundTrips(benchClass: BenchClass): Promise<{ roundTrips: number; detail?: string }> {
  const steps = new Map<string, number[]>()
  recorder = (step, count) => steps.set(step, [...(steps.get(step) ?? []), count])
  try {
    for (let i = 0; i < 5; i++) {
      if (benchClass.flow) await benchClass.flow(0, 1000 + i)
      else {
        const { path, method, headers, body } = server.resolve(benchClass.request!)
        await (await send(path, { method, headers, body })).arrayBuffer()
      }
    }
  } finally {
    recorder = undefined
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  if (!benchClass.flow) return { roundTrips: median([...steps.values()][0] ?? [0]) }
  const perStep = [...steps].map(([step, counts]) => [step, median(counts)] as const)
  const target = perStep.find(([step]) => step === benchClass.roundTripsOf)
  return {
    roundTrips: target?.[1] ?? Math.max(...perStep.map(([, count]) => count)),
    detail: perStep.map(([step, count]) => `${step}: ${count}`).join('; '),
  }
}

try {
  if (runHttp)
    classes = await buildClasses(
      {
        send,
        books,
        webhookSecret: secrets.STRIPE_WEBHOOK_SECRET ?? '',
        workers: Math.max(1, connections / 2),
      },
      httpOnly
        ? BENCH_CLASSES.filter((entry) => entry.id === BARE_ID || httpOnly.includes(entry.id))
        : BENCH_CLASSES,
    )
  // The ceiling is measured in slices interleaved with every class, so each ratio compares two figures taken
  // under the same background load (a shared machine drifts by more than the differences being measured).
  const ceilingClass = classes[0]
  const sliceSeconds = Math.max(1, Math.round(seconds / SLICES))
  for (const benchClass of classes.slice(1)) {
    if (benchClass.unavailable) continue
    log(`measuring ${benchClass.name}: ${SLICES} x ${sliceSeconds} s, interleaved with the bare worker`)
    // Primes the edge cache for the cached classes, and reads the D1 round trips.
    trips.set(benchClass.id, await measureRoundTrips(benchClass))
    const ceilingSlices: LoadResult[] = []
    const classSlices: LoadResult[] = []
    for (let slice = 0; slice < SLICES; slice++) {
      ceilingSlices.push(await measure(ceilingClass!, sliceSeconds))
      classSlices.push(await measure(benchClass, sliceSeconds))
    }
    ceilings.set(benchClass.id, mergeSlices(ceilingSlices))
    load.set(benchClass.id, mergeSlices(classSlices))
  }
  if (ceilingClass && ceilings.size) load.set(ceilingClass.id, mergeSlices([...ceilings.values()]))
  if (runFanout) {
    log(`measuring fan-out: ${sockets} WebSockets on one book channel, ${fanoutOptions.writes} write(s)`)
    // workerd runs as a child of this process (Miniflare; wrangler dev's below its own child under --dev).
    fanout = await runFanoutClass(server.origin, { ...fanoutOptions, serverPid: process.pid, log }).then(
      (result) => ({ result, smoke }),
      (error: unknown) => ({ error: String(error).slice(0, 500), smoke }),
    )
  }
} finally {
  await server.stop()
}

let cpu = new Map<string, CpuResult>()
if (classes.length) {
  log('measuring CPU per request class in Node (app.request over libSQL)')
  const probe = await measureCpu({
    books,
    vars: { ...readConfigVars(BENCH_CONFIG), ...secrets },
    log,
    quick: smoke,
    only: classes.map((benchClass) => benchClass.id),
    evictMiB: option('cpu-evict-mib') === undefined ? undefined : numberOption('cpu-evict-mib', 0),
    replay: process.argv.includes('--cpu-replay'),
  })
  cpu = probe.results
  seedSeconds.cpuProbe = probe.seedSeconds
}

const rows: Row[] = classes.map((benchClass) => {
  const measured = load.get(benchClass.id)
  const ceiling = benchClass.id === BARE_ID ? measured : ceilings.get(benchClass.id)
  return {
    id: benchClass.id,
    name: benchClass.name,
    targets: benchClass.targets,
    unavailable: benchClass.unavailable,
    ...(measured && ceiling
      ? {
          ...measured,
          ceilingRequestsPerSecond: ceiling.requestsPerSecond,
          ratioToCeiling: measured.requestsPerSecond / ceiling.requestsPerSecond,
        }
      : {}),
    roundTrips: trips.get(benchClass.id)?.roundTrips,
    roundTripsDetail: trips.get(benchClass.id)?.detail,
    cpu: cpu.get(benchClass.id),
  }
})
const summary: Summary = {
  date: new Date().toISOString(),
  books,
  seconds,
  connections,
  runtime: `${server.runtime}, autocannon on the same machine`,
  machine: `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}`,
  seedSeconds,
  smoke,
  notes: [
    `× bare: req/s over the bare worker's (a Worker returning "ok" in the same runtime${dev ? '; under --dev the no-op route stands in for it' : ''}), measured in slices interleaved with each class.`,
    'Uncached classes send Cache-Control: no-store: every request goes to the origin and nothing is stored.',
    'D1 round trips: the query count of the `db` Server-Timing metric (a batch is one), the median of five answers; ' +
      'for checkout, of POST /v1/orders (every step listed).',
    'CPU per request measured in Node (app.request over libSQL, process.cpuUsage; workerd does not advance timers ' +
      'during CPU work): "SQLite" is the CPU inside the libSQL client calls (on Workers D1 runs elsewhere), "app" ' +
      'the rest. Checkout is per flow of three requests; the bare row is a one-route Hono app; cached classes use ' +
      'an in-memory stand-in for caches.default.',
    ...(option('cpu-evict-mib') === undefined
      ? []
      : [
          `--cpu-evict-mib ${option('cpu-evict-mib')}: every libSQL call also walked that much memory (counted as ` +
            'SQLite), to show what co-located SQLite costs the app through the caches; the app CPU column is not ' +
            'comparable with a plain run.',
        ]),
    ...(process.argv.includes('--cpu-replay')
      ? [
          '--cpu-replay: in the CPU probe each GET class ran every statement in SQLite once and got its result set ' +
            'back on later calls without SQLite running: the app CPU column is the app without SQLite in its thread.',
        ]
      : []),
  ],
  bundle,
  rows,
  fanout,
}
const checks = targetChecks(summary)
console.log(renderMarkdown(summary))
console.log(`\nTargets (issue 11):\n${renderChecks(checks)}`)
const file = option('out') ?? `bench-results/${summary.date.replace(/[:.]/g, '-')}.json`
mkdirSync(dirname(file), { recursive: true })
writeFileSync(file, `${JSON.stringify({ ...summary, targets: checks }, null, 2)}\n`)
console.log(`\nJSON: ${file}`)
// A fan-out that lost or duplicated an event is a broken build, not a slow one.
process.exit(fanoutFailed(fanout) ? 1 : 0)
