// Runs in the node project only (vitest.config.ts): without the binding, the middleware must pass through.
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'

/** A fresh client address per test, so buckets never leak between tests. */
const _newIp = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`

/** RATE_LIMIT_TINY (3 per 60 s, vitest.config.ts) standing in for the named limiter. */
const _tiny = (limiter: 'PUBLIC' | 'USER' | 'AUTH') => ({
  [`RATE_LIMIT_${limiter}`]: (harness.env as unknown as Record<string, unknown>).RATE_LIMIT_TINY,
  [`RATE_LIMIT_${limiter}_POLICY`]: '3/60',
})

function send(path: string, init: RequestInit, overrides: Record<string, unknown>) {
  return harness.requestWithEnv(path, init, overrides)
}

/** Catalog reads that must reach the origin: the edge cache counts only those against the IP. */
const _ORIGIN = { 'Cache-Control': 'no-cache' }

async function statuses(count: number, request: () => Promise<Response>): Promise<Response[]> {
  const responses: Response[] = []
  for (let i = 0; i < count; i++) responses.push(await request())
  return responses
}

describe('rate limits (Node: no binding)', () => {
  it('does not limit or advertise a policy when the binding is absent', async () => {
    const responses = await statuses(6, () =>
      send(
        '/v1/books?limit=1',
        { headers: { 'CF-Connecting-IP': '203.0.113.9' } },
        { RATE_LIMIT_PUBLIC_POLICY: '3/60' },
      ),
    )
    expect(responses.every((response) => response.status === 200)).toBe(true)
    expect(responses[0]!.headers.get('RateLimit-Policy')).toBeNull()
  })
})
