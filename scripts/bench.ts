// `npm run bench [-- --large] [-- --seconds 5] [-- --connections 8] [-- --port 8810] [-- --fresh]`
// Builds and starts the Worker with wrangler dev on a loopback port (its own config copy and persist dir), loads
// 10,000 books (100,000 with --large), measures each request class with autocannon for a bounded time, reports
// the bundle size and the CPU time per class (measured in Node, see scripts/lib/bench-cpu.ts), prints a markdown
// table and writes the same figures as JSON to bench-results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { type BenchClass, buildClasses } from './lib/bench-classes.ts'
import { type CpuResult, measureCpu } from './lib/bench-cpu.ts'
import { type LoadResult, measureFlow, measureRequest, mergeSlices } from './lib/bench-load.ts'
import { type Row, renderMarkdown, type Summary, targetChecks } from './lib/bench-report.ts'
import { BENCH_CONFIG, prepareDatabase, startServer, writeBenchConfig } from './lib/bench-server.ts'
import { bundleSize, readConfigVars } from './lib/bench-system.ts'
import { ensureDevVars } from './lib/dev-vars.ts'

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

const large = process.argv.includes('--large')
const books = large ? 100_000 : 10_000
const seconds = option('seconds', 6)
const connections = option('connections', 8)
const port = option('port', 8810)
const log = (line: string) => console.error(`[bench] ${line}`)

const secrets = await ensureDevVars()
writeBenchConfig()
log('bundling (wrangler deploy --dry-run)')
const bundle = bundleSize()
await prepareDatabase(books, log)

log(`starting wrangler dev on 127.0.0.1:${port}`)
const server = await startServer(port, books)
const load = new Map<string, LoadResult>()
const unavailable = new Map<string, string>()
const ceilings = new Map<string, LoadResult>()
let classes: BenchClass[] = []
const SLICES = 3
const measure = (benchClass: BenchClass, slice: number): Promise<LoadResult> =>
  benchClass.request
    ? measureRequest(server.origin, benchClass.request, {
        connections: Math.min(connections, benchClass.maxConnections ?? connections),
        seconds: slice,
      })
    : measureFlow(Math.max(1, connections / 2), slice, benchClass.flow!)
try {
  const send = (path: string, init?: RequestInit) => fetch(`${server.origin}${path}`, init)
  classes = await buildClasses({
    send,
    books,
    webhookSecret: secrets.STRIPE_WEBHOOK_SECRET ?? '',
    workers: Math.max(1, connections / 2),
  })
  // The ceiling is measured in slices interleaved with every class, so each ratio compares two figures taken
  // under the same background load (a shared machine drifts by more than the differences being measured).
  const ceilingClass = classes[0]!
  const sliceSeconds = Math.max(1, Math.round(seconds / SLICES))
  for (const benchClass of classes.slice(1)) {
    if (benchClass.unavailable) {
      unavailable.set(benchClass.name, benchClass.unavailable)
      continue
    }
    log(`measuring ${benchClass.name}: ${SLICES} x ${sliceSeconds} s, interleaved with the ceiling`)
    const ceilingSlices: LoadResult[] = []
    const classSlices: LoadResult[] = []
    if (benchClass.request) {
      const { path, method, headers, body } = benchClass.request
      await send(path, { method, headers, body }) // primes the edge cache for the cached classes
    }
    for (let slice = 0; slice < SLICES; slice++) {
      ceilingSlices.push(await measure(ceilingClass, sliceSeconds))
      classSlices.push(await measure(benchClass, sliceSeconds))
    }
    ceilings.set(benchClass.name, mergeSlices(ceilingSlices))
    load.set(benchClass.name, mergeSlices(classSlices))
  }
  load.set(ceilingClass.name, mergeSlices([...ceilings.values()]))
} finally {
  await server.stop()
}

log('measuring CPU per request class in Node (app.request over libSQL)')
const cpu: Map<string, CpuResult> = await measureCpu({
  books,
  vars: { ...readConfigVars(BENCH_CONFIG), ...secrets },
  log,
})

const rows: Row[] = classes.map((benchClass, index) => {
  const measured = load.get(benchClass.name)
  const ceiling = index === 0 ? measured : ceilings.get(benchClass.name)
  return {
    name: benchClass.name,
    target: benchClass.target,
    unavailable: unavailable.get(benchClass.name),
    ...(measured && ceiling
      ? {
          ...measured,
          ceilingRequestsPerSecond: ceiling.requestsPerSecond,
          ratioToCeiling: measured.requestsPerSecond / ceiling.requestsPerSecond,
        }
      : {}),
    cpu: cpu.get(benchClass.name),
  }
})
const summary: Summary = {
  date: new Date().toISOString(),
  books,
  seconds,
  connections,
  runtime:
    `wrangler dev (workerd, local D1, Cache API and rate limiter), autocannon on the same machine; Node ` +
    `${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  cpuNote:
    'CPU per request measured in Node (app.request over libSQL, process.cpuUsage): workerd does not advance ' +
    'timers during CPU work. "Worker CPU" subtracts the Server-Timing db time (SQLite runs in-process there; on ' +
    'Workers, D1 is not CPU time): a lower bound, as db time is wall time; "incl. SQLite" is the upper bound. ' +
    'Flows (checkout) are per flow of three requests. Cached classes use an in-memory stand-in for caches.default.',
  uncachedNote:
    'Uncached classes send Cache-Control: no-store: every request goes to the origin and nothing is stored ' +
    '(Cache-Status: Folio; fwd=request).',
  bundle,
  rows,
}
const checks = targetChecks(summary)
console.log(renderMarkdown(summary, checks))
mkdirSync('bench-results', { recursive: true })
const file = `bench-results/${summary.date.replace(/[:.]/g, '-')}.json`
writeFileSync(file, `${JSON.stringify({ ...summary, targets: checks }, null, 2)}\n`)
console.log(`\nJSON: ${file}`)
process.exit(0)
