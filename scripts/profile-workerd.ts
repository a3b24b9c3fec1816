// `npm run profile:workerd [-- --class noop] [-- --seconds 5] [-- --connections 8] [-- --port 8850]
//   [-- --interval 50] [-- --top 20] [-- --out noop.cpuprofile] [-- --books 10000]`
// Where a request's time goes inside workerd: serves the production bundle exactly as `npm run bench` does (same
// config, bundle and 10,000-book D1 state), puts one class under autocannon load, and takes a V8 CPU profile of
// Folio's isolate through workerd's inspector (Chrome DevTools Protocol: Profiler.start / Profiler.stop) while it
// runs. It prints, per request: the isolate's busy time, split by the source file of the function that was running
// (esbuild keeps a `// path` comment before each module of the bundle), and the hottest functions; and the workerd
// process's CPU (/proc), whose rest is outside the isolate: workerd's HTTP, Miniflare's entry worker, and the
// local D1, cache and rate limiter, which on Cloudflare run elsewhere. The profiler's own overhead inflates the
// isolate's figures (about 0.1 ms per request here), and most of all `console.log`, which serializes every message
// for the inspector session: the log line shows several times its cost (`npm run profile:middleware` measures it
// without an inspector). Compare classes with each other, not with `npm run bench`.
import { readFileSync, writeFileSync } from 'node:fs'
import { measureRequest } from './lib/bench-load.ts'
import { BUNDLE_DIR } from './lib/bench-server.ts'
import { workerdCpuMs } from './lib/bench-system.ts'
import { classDefinitions, log, option, serveBenchClasses } from './lib/profile-setup.ts'

const classId = option('class') ?? 'noop'
const seconds = option('seconds', 5)
const connections = option('connections', 8)
const port = option('port', 8850)
const intervalUs = option('interval', 50)
const top = option('top', 20)

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
type Profile = {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** A minimal CDP client over the inspector's WebSocket (Node's global WebSocket). */
async function connectInspector(inspectorPort: number, worker: string) {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    id: string
    title: string
    webSocketDebuggerUrl: string
  }[]
  const target = targets.find(
    (entry) => entry.title.endsWith(`:${worker}`) || entry.id.endsWith(`:${worker}`),
  )
  if (!target) throw new Error(`no inspector target for ${worker}: ${targets.map((t) => t.title).join(', ')}`)
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  let nextId = 1
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  const failAll = (why: string) => {
    for (const { reject } of pending.values()) reject(new Error(why))
    pending.clear()
  }
  socket.addEventListener('close', () => failAll('the inspector closed the connection'))
  socket.addEventListener('error', () => failAll('the inspector connection failed'))
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown }
    const waiter = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiter || message.id === undefined) return
    pending.delete(message.id)
    if (message.error) waiter.reject(new Error(`inspector: ${JSON.stringify(message.error)}`))
    else waiter.resolve(message.result)
  })
  return {
    call: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`inspector: no answer to ${method} within 60 s`))
        }, 60_000)
        pending.set(id, {
          resolve: (result) => {
            clearTimeout(timer)
            resolve(result as T)
          },
          reject: (error) => {
            clearTimeout(timer)
            reject(error)
          },
        })
        socket.send(JSON.stringify({ id, method, params }))
      }),
    close: () => socket.close(),
  }
}

/** The bundle's module boundaries: esbuild writes `// src/app.ts` (or `// node_modules/hono/...`) before each. */
function moduleIndex(bundlePath: string): (line: number) => string {
  const starts: [number, string][] = []
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((text, line) => {
      const match = text.match(/^\/\/ ((?:src|node_modules|\.\.\/)[^\s]*\.[cm]?[jt]sx?)$/)
      if (match) starts.push([line, match[1]!.replace(/^.*node_modules\//, '')])
    })
  return (line) => {
    let low = 0
    let high = starts.length - 1
    let found = '(bundle prelude)'
    while (low <= high) {
      const middle = (low + high) >> 1
      if (starts[middle]![0] <= line) {
        found = starts[middle]![1]
        low = middle + 1
      } else high = middle - 1
    }
    return found
  }
}

/** Self time per node (µs) from the sample stream. */
function selfTimes(profile: Profile): Map<number, number> {
  const self = new Map<number, number>()
  profile.samples.forEach((node, index) => {
    self.set(node, (self.get(node) ?? 0) + (profile.timeDeltas[index + 1] ?? 0))
  })
  return self
}

/** Groups a package path to its package (`hono/dist/...` → `hono`), keeps Folio's own files whole. */
const groupOf = (path: string) =>
  path.startsWith('src/') ? path : (path.match(/^(@[^/]+\/[^/]+|[^/]+)/)?.[1] ?? path)

const inspectorPort = port + 1
const { server, classes } = await serveBenchClasses(port, classDefinitions([classId]), { inspectorPort })
let inspector: Awaited<ReturnType<typeof connectInspector>> | undefined
try {
  const [benchClass] = classes
  if (!benchClass?.request)
    throw new Error(`${classId} is ${benchClass?.unavailable ?? 'a flow'}: profile a single-request class`)
  const request = server.resolve(benchClass.request)
  log(`warming ${benchClass.name}`)
  await measureRequest(server.origin, request, { connections, seconds: 2 })
  // A reference class (the bare worker) is profiled in its own isolate: the floor Folio's figures compare with.
  inspector = await connectInspector(inspectorPort, benchClass.request.reference ?? 'folio')
  await inspector.call('Profiler.enable')
  await inspector.call('Profiler.setSamplingInterval', { interval: intervalUs })
  await inspector.call('Profiler.start')
  const cpuBefore = workerdCpuMs(process.pid)
  const load = await measureRequest(server.origin, request, { connections, seconds })
  const cpuAfter = workerdCpuMs(process.pid)
  const { profile } = await inspector.call<{ profile: Profile }>('Profiler.stop')

  const out = option('out')
  if (out) writeFileSync(out, JSON.stringify(profile))
  const self = selfTimes(profile)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const moduleOf = moduleIndex(`${BUNDLE_DIR}/index.js`)
  const totalUs = profile.endTime - profile.startTime
  const perRequest = (us: number) => us / 1000 / load.requests
  const groups = new Map<string, number>()
  const functions = new Map<string, number>()
  let idleUs = 0
  let busyUs = 0
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') {
      idleUs += us
      continue
    }
    busyUs += us
    const inBundle = frame.url.endsWith('index.js')
    const group = inBundle
      ? groupOf(moduleOf(frame.lineNumber))
      : frame.functionName.startsWith('(')
        ? frame.functionName
        : `workerd: ${frame.url || '(native)'}`
    groups.set(group, (groups.get(group) ?? 0) + us)
    const name = `${frame.functionName || '(anonymous)'}  ${inBundle ? `${moduleOf(frame.lineNumber)}` : frame.url}`
    functions.set(name, (functions.get(name) ?? 0) + us)
  }
  const rows = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) => `| ${name} | ${perRequest(us).toFixed(4)} | ${((us / busyUs) * 100).toFixed(1)}% |`,
      )
  console.log(`# workerd CPU profile: ${benchClass.name}`)
  console.log('')
  console.log(
    `${load.requests} requests in ${load.seconds} s (${load.requestsPerSecond.toFixed(0)} req/s, ${connections} connections), sampled every ${intervalUs} µs.`,
  )
  console.log(
    `Folio's isolate: busy ${perRequest(busyUs).toFixed(3)} ms per request (${((busyUs / totalUs) * 100).toFixed(0)}% of the wall time), idle ${((idleUs / totalUs) * 100).toFixed(0)}%.`,
  )
  if (cpuBefore !== null && cpuAfter !== null) {
    const processMs = (cpuAfter - cpuBefore) / load.requests
    const outside = processMs - perRequest(busyUs)
    // The isolate's figure carries the profiler's overhead; where it exceeds the process's, outside is lost in it.
    const outsideText =
      outside > 0 ? `${outside.toFixed(3)} ms` : 'too small to tell from the profiler overhead'
    console.log(
      `The workerd process: ${processMs.toFixed(3)} ms of CPU per request (/proc); outside Folio's isolate (workerd's HTTP, Miniflare's entry worker, the local D1, cache and limiter): ${outsideText}.`,
    )
  }
  console.log('')
  console.log('| source (self time) | ms per request | share of busy |')
  console.log('|---|---:|---:|')
  for (const row of rows(groups)) console.log(row)
  console.log('')
  console.log('| function | ms per request | share of busy |')
  console.log('|---|---:|---:|')
  for (const row of rows(functions)) console.log(row)
} finally {
  inspector?.close()
  await server.stop()
}
