// Runs in the node project only (vitest.config.ts): without the binding, the middleware must pass through.
import { describe, expect, it } from 'vitest'
import { send, statuses } from './helpers/rate-limits'

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
