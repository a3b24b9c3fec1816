import { harness } from '#harness'

/** Shared by rate-limit.workerd.test.ts and rate-limit.node.test.ts. */

/** A fresh client address per test, so buckets never leak between tests. */
export const newIp = () =>
  `203.0.113.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`

/** RATE_LIMIT_TINY (3 per 60 s, vitest.config.ts) standing in for the named limiter. */
export const tiny = (limiter: 'PUBLIC' | 'USER' | 'AUTH') => ({
  [`RATE_LIMIT_${limiter}`]: (harness.env as unknown as Record<string, unknown>).RATE_LIMIT_TINY,
  [`RATE_LIMIT_${limiter}_POLICY`]: '3/60',
})

export function send(path: string, init: RequestInit, overrides: Record<string, unknown>) {
  return harness.requestWithEnv(path, init, overrides)
}

/** Catalog reads that must reach the origin: the edge cache counts only those against the IP. */
export const ORIGIN = { 'Cache-Control': 'no-cache' }

/** `count` requests one after another, their responses in order. */
export async function statuses(count: number, request: () => Promise<Response>): Promise<Response[]> {
  const responses: Response[] = []
  for (let i = 0; i < count; i++) responses.push(await request())
  return responses
}
