// Load generation for the bench: autocannon for single requests, a small closed-loop runner for multi-step flows.
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon'

export type RequestSpec = {
  /** Sent to a reference worker beside Folio (REFERENCE_WORKERS in bench-server.ts), not to Folio. */
  reference?: 'bare' | 'bare-log'
  /** Sent to a variant of Folio's bundle beside it (startRuntime's `variants`), by worker name. */
  variant?: string
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string
}

export type LoadResult = {
  seconds: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  requests: number
  errors: number
}

/** `amount`: stop after that many requests instead (a smoke run), `seconds` still bounds it. */
export type LoadOptions = { connections: number; seconds: number; amount?: number }

type AutocannonResult = {
  requests: { total: number }
  latency: { p50: number; p99: number }
  duration: number
  errors: number
  timeouts: number
  non2xx: number
}

/** One request class under autocannon: fixed connections, bounded duration. Any non-2xx counts as an error. */
export async function measureRequest(
  origin: string,
  spec: RequestSpec,
  options: LoadOptions,
): Promise<LoadResult> {
  const result = (await autocannon({
    url: `${origin}${spec.path}`,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.amount ? { amount: options.amount } : {}),
  })) as AutocannonResult
  return {
    seconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
  }
}

const percentile = (sorted: number[], fraction: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]! : 0

/**
 * A multi-step flow (e.g. add to cart → checkout → webhook), run by `workers` concurrent loops for the duration.
 * Latency is per whole flow; a flow that throws counts as one error.
 */
export async function measureFlow(
  workers: number,
  seconds: number,
  flow: (worker: number, iteration: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let iteration = 0; performance.now() < deadline; iteration++) {
        const begin = performance.now()
        try {
          await flow(worker, iteration)
          latencies.push(performance.now() - begin)
        } catch (error) {
          if (errors++ === 0) console.error(`[bench] first flow error: ${String(error).slice(0, 300)}`)
        }
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    seconds: elapsed,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    requests: latencies.length + errors,
    errors,
  }
}

/** fetch that fails on an unexpected status, naming it: flows must not count a 4xx as a success. */
export async function expectStatus(
  response: Response | Promise<Response>,
  status: number,
): Promise<Response> {
  const answer = await response
  if (answer.status !== status) {
    throw new Error(`expected ${status}, got ${answer.status}: ${(await answer.text()).slice(0, 200)}`)
  }
  return answer
}

/** Slices of one class measured at different times, as one result: the p50 is averaged, the worst p99 kept. */
export function mergeSlices(slices: LoadResult[]): LoadResult {
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0)
  const requests = slices.reduce((sum, slice) => sum + slice.requests, 0)
  return {
    seconds,
    requestsPerSecond:
      slices.reduce((sum, slice) => sum + slice.requestsPerSecond * slice.seconds, 0) / seconds,
    p50Ms: slices.reduce((sum, slice) => sum + slice.p50Ms, 0) / slices.length,
    p99Ms: Math.max(...slices.map((slice) => slice.p99Ms)),
    requests,
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
  }
}

/** D1 round trips of one answer: the query count of Folio's `db` Server-Timing metric (absent: none). */
export function roundTrips(response: Response): number {
  const metric = response.headers.get('Server-Timing')?.match(/(?:^|,)\s*db;[^,]*desc="(\d+) quer/)
  return metric ? Number(metric[1]) : 0
}
