// `npm run bench [-- --large] [-- --seconds 5] [-- --connections 8] [-- --port 8810] [-- --fresh]`
// Builds and starts the Worker with wrangler dev on a loopback port (its own config copy and persist dir), loads
// 10,000 books (100,000 with --large), measures each request class with autocannon for a bounded time, reports
// the bundle size and the CPU time per class (measured in Node, see scripts/lib/bench-cpu.ts), prints a markdown
// table and writes the same figures as JSON to bench-results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { type BenchClass, buildClasses } from './lib/bench-classes.ts'
import { type CpuResult, measureCpu } from './lib/bench-cpu.ts'
import { type LoadResult, measureFlow, measureRequest } from './lib/bench-load.ts'
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
const seconds = option('seconds', 5)
const connections = option('connections', 8)
const port = option('port', 8810)
const log = (line: string) => console.error(`[bench] ${line}`)

const secrets = await ensureDevVars()
writeBenchConfig()
log('bundling (wrangler deploy --dry-run)')
const bundle = bundleSize()
await prepareDatabase(books, log)

log(`starting wrangler dev on 127.0.0.1:${port}`)
const server = await startServer(port)
const load = new Map<string, LoadResult>()
const unavailable = new Map<string, string>()
let classes: BenchClass[] = []
try {
  const send = (path: string, init?: RequestInit) => fetch(`${server.origin}${path}`, init)
  classes = await buildClasses({
    send,
    books,
    webhookSecret: secrets.STRIPE_WEBHOOK_SECRET ?? '',
    workers: Math.max(1, connections / 2),
  })
  for (const benchClass of classes) {
    if (benchClass.unavailable) {
      unavailable.set(benchClass.name, benchClass.unavailable)
      continue
    }
    log(`measuring ${benchClass.name} for ${seconds} s`)
    if (benchClass.request) {
      const { path, method, headers, body } = benchClass.request
      await send(path, { method, headers, body }) // primes the edge cache for the cached classes
      load.set(
        benchClass.name,
        await measureRequest(server.origin, benchClass.request, { connections, seconds }),
      )
    } else if (benchClass.flow) {
      load.set(benchClass.name, await measureFlow(Math.max(1, connections / 2), seconds, benchClass.flow))
    }
  }
} finally {
  await server.stop()
}

log('measuring CPU per request class in Node (app.request over libSQL)')
const cpu: Map<string, CpuResult> = await measureCpu({
  books,
  vars: { ...readConfigVars(BENCH_CONFIG), ...secrets },
  log,
})

const ceiling = load.get(classes[0]!.name)?.requestsPerSecond ?? 0
const rows: Row[] = classes.map((benchClass) => {
  const measured = load.get(benchClass.name)
  return {
    name: benchClass.name,
    target: benchClass.target,
    unavailable: unavailable.get(benchClass.name),
    ...(measured ? { ...measured, ratioToCeiling: ceiling ? measured.requestsPerSecond / ceiling : 0 } : {}),
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
    'Workers, D1 is not CPU time). Cached classes use an in-memory stand-in for caches.default.',
  uncachedNote: 'Uncached classes send Cache-Control: no-cache (Cache-Status: Folio; fwd=request; stored).',
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
