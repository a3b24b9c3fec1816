// `npm run profile:middleware [-- --class noop,page1-cached] [-- --rounds 5] [-- --seconds 2] [-- --port 8860]
//   [-- --books 10000]`
// What each global middleware costs in workerd: serves the production bundle as `npm run bench` does, and beside it
// one copy of the same bundle per global middleware with that one left out (bench mode's BENCH_SKIP_MIDDLEWARE),
// plus one with all of them left out. Each class is sent to the bare worker, to Folio and to every copy in turn,
// `--rounds` times, and each measurement records req/s and workerd's CPU time per request (user + system of the
// workerd process, from /proc: it includes Miniflare's entry worker and workerd's HTTP, the same for every copy).
// A middleware's cost is the full copy's median CPU per request minus the median of the copy without it.
import { GLOBAL_MIDDLEWARE } from '../src/app.ts'
import { measureRequest, type RequestSpec } from './lib/bench-load.ts'
import { workerdCpuMs } from './lib/bench-system.ts'
import { classDefinitions, option, serveBenchClasses } from './lib/profile-setup.ts'

const rounds = option('rounds', 5)
const seconds = option('seconds', 2)
const connections = option('connections', 8)
const definitions = classDefinitions((option('class') ?? 'noop,page1-cached').split(','))
// `copy`: the bundle with every middleware, shaped like the copies without one (no Durable Object, no queue
// consumers), so that each cost is taken between like workers.
const variants: Record<string, Record<string, string>> = {
  copy: { BENCH_SKIP_MIDDLEWARE: '' },
  'without-all': { BENCH_SKIP_MIDDLEWARE: GLOBAL_MIDDLEWARE.join(',') },
}
for (const name of GLOBAL_MIDDLEWARE) variants[`without-${name}`] = { BENCH_SKIP_MIDDLEWARE: name }

const { server, classes, send } = await serveBenchClasses(option('port', 8860), definitions, { variants })
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
try {
  for (const benchClass of classes) {
    if (!benchClass.request) throw new Error(`${benchClass.id}: profile single-request classes only`)
    const targets: [string, RequestSpec][] = [
      ['bare worker', { path: '/', reference: 'bare' }],
      ['Folio', benchClass.request],
      ...Object.keys(variants).map(
        (name) => [name, { ...benchClass.request!, variant: name }] as [string, RequestSpec],
      ),
    ]
    const measured = new Map<string, { rps: number[]; cpu: number[] }>()
    console.error(`[profile] ${benchClass.name}: ${rounds} rounds of ${targets.length} x ${seconds} s`)
    for (const [, spec] of targets) {
      // Primes each copy's isolate and, for cached classes, the edge cache.
      for (let i = 0; i < 3; i++) await (await send(spec.path, server.resolve(spec))).arrayBuffer()
    }
    for (let round = 0; round < rounds; round++) {
      for (const [name, spec] of targets) {
        const before = workerdCpuMs(process.pid)
        const result = await measureRequest(server.origin, server.resolve(spec), { connections, seconds })
        const after = workerdCpuMs(process.pid)
        if (result.errors) throw new Error(`${name}: ${result.errors} errors`)
        const entry = measured.get(name) ?? { rps: [], cpu: [] }
        entry.rps.push(result.requestsPerSecond)
        if (before !== null && after !== null) entry.cpu.push((after - before) / result.requests)
        measured.set(name, entry)
      }
    }
    const bare = measured.get('bare worker')!
    const copy = measured.get('copy')!
    const hasCpu = copy.cpu.length > 0
    console.log(`\n# ${benchClass.name}\n`)
    console.log(
      `Medians of ${rounds} rounds (${seconds} s each, ${connections} connections), interleaved. workerd CPU is per request, ms.\n`,
    )
    console.log(
      '| worker | req/s | × bare | workerd CPU ms | CPU over bare | the left-out middleware costs |',
    )
    console.log('|---|---:|---:|---:|---:|---:|')
    for (const [name, entry] of measured) {
      const cpu = hasCpu ? median(entry.cpu) : Number.NaN
      const cost = name.startsWith('without-') ? (median(copy.cpu) - cpu).toFixed(3) : '–'
      console.log(
        `| ${name} | ${median(entry.rps).toFixed(0)} | ${(median(entry.rps) / median(bare.rps)).toFixed(2)} | ${cpu.toFixed(3)} | ${(cpu - median(bare.cpu)).toFixed(3)} | ${cost} |`,
      )
    }
  }
} finally {
  await server.stop()
}
