// Runs in the workerd project only (vitest.config.ts): it needs a binding Node does not have.
import { describe, expect, it } from 'vitest'
import { createBook } from './helpers/fixtures'
import { json } from './helpers/http'
import { newIp, ORIGIN, send, statuses, tiny } from './helpers/rate-limits'
import { createUser } from './helpers/tokens'

describe('rate limits (workerd: Rate Limiting binding)', () => {
  it('limits public routes per IP and answers 429 problem details with RateLimit headers', async () => {
    const ip = newIp()
    const responses = await statuses(4, () =>
      send('/v1/books?limit=1', { headers: { 'CF-Connecting-IP': ip, ...ORIGIN } }, tiny('PUBLIC')),
    )
    expect(responses.slice(0, 3).map((response) => response.status)).toEqual([200, 200, 200])
    expect(responses[0]!.headers.get('RateLimit-Policy')).toBe('"ip";q=3;w=60')
    const limited = responses[3]!
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Content-Type')).toBe('application/problem+json')
    expect(limited.headers.get('Retry-After')).toBe('60')
    expect(limited.headers.get('RateLimit')).toBe('"ip";r=0;t=60')
    expect(limited.headers.get('RateLimit-Policy')).toBe('"ip";q=3;w=60')
    expect(await json(limited)).toMatchObject({ status: 429, type: '/problems/rate-limited' })
  })

  it('keeps separate budgets for separate addresses', async () => {
    // Origin requests (no-cache): cache hits are never counted, so they could not spend a budget.
    const ip = newIp()
    const spent = await statuses(4, () =>
      send('/v1/books?limit=1', { headers: { 'CF-Connecting-IP': ip, ...ORIGIN } }, tiny('PUBLIC')),
    )
    expect(spent.map((response) => response.status)).toEqual([200, 200, 200, 429])
    const other = await send(
      '/v1/books?limit=1',
      { headers: { 'CF-Connecting-IP': newIp(), ...ORIGIN } },
      tiny('PUBLIC'),
    )
    expect(other.status).toBe(200)
  })

  it('ignores X-Forwarded-For, which any client can forge', async () => {
    const ip = newIp()
    const responses = await statuses(4, () =>
      send(
        '/v1/books?limit=1',
        { headers: { 'CF-Connecting-IP': ip, 'X-Forwarded-For': newIp(), ...ORIGIN } },
        tiny('PUBLIC'),
      ),
    )
    expect(responses[3]!.status).toBe(429)
  })

  it('does not count catalog reads the edge cache answers', async () => {
    const path = `/v1/books?limit=2&q=${crypto.randomUUID().slice(0, 6)}e`
    for (let attempt = 0; attempt < 5; attempt++) {
      // Prime the cache from other addresses, then spend this address's whole budget on origin requests.
      for (let i = 0; i < 3; i++)
        await send(path, { headers: { 'CF-Connecting-IP': newIp() } }, tiny('PUBLIC'))
      const ip = newIp()
      const spent = await statuses(4, () =>
        send('/v1/books?limit=1', { headers: { 'CF-Connecting-IP': ip, ...ORIGIN } }, tiny('PUBLIC')),
      )
      expect(spent[3]!.status).toBe(429)
      const cached = await send(path, { headers: { 'CF-Connecting-IP': ip } }, tiny('PUBLIC'))
      // Another test file may edit the catalog in between (a new version misses); then try again.
      if (!cached.headers.get('Cache-Status')?.startsWith('Folio; hit')) continue
      expect(cached.status).toBe(200)
      return
    }
    throw new Error('the cached read never hit')
  })

  it('applies the strict limiter to /v1/auth/*', async () => {
    const ip = newIp()
    const responses = await statuses(4, () =>
      send(
        '/v1/auth/login',
        {
          method: 'POST',
          headers: { 'CF-Connecting-IP': ip, 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: 'someone@example.com', password: 'wrong password' }),
        },
        tiny('AUTH'),
      ),
    )
    expect(responses.slice(0, 3).every((response) => response.status !== 429)).toBe(true)
    expect(responses[3]!.status).toBe(429)
    expect(responses[3]!.headers.get('RateLimit')).toBe('"auth";r=0;t=60')
  })

  it('limits authenticated routes per user, not per shared IP', async () => {
    const ip = newIp()
    const book = await createBook()
    const alice = (await createUser('admin')).token
    const bob = (await createUser('admin')).token
    const patch = (token: string) =>
      send(
        `/v1/books/${book.id}`,
        {
          method: 'PATCH',
          headers: {
            'CF-Connecting-IP': ip,
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ stockAdjustment: 1 }),
        },
        { ...tiny('USER'), ...tiny('PUBLIC') },
      )
    const alices = await statuses(4, () => patch(alice))
    expect(alices.map((response) => response.status)).toEqual([200, 200, 200, 429])
    expect(alices[3]!.headers.get('RateLimit')).toBe('"user";r=0;t=60')
    // Same address, another user: a fresh budget, and Alice's requests did not use up the IP's.
    expect((await patch(bob)).status).toBe(200)
  })

  it('counts failed authentication against the IP, so token guessing is throttled', async () => {
    const ip = newIp()
    const book = await createBook()
    const responses = await statuses(4, () =>
      send(
        `/v1/books/${book.id}`,
        {
          method: 'DELETE',
          headers: { 'CF-Connecting-IP': ip, Authorization: 'Bearer a.b.c' },
        },
        tiny('PUBLIC'),
      ),
    )
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401, 429])
  })
  it('counts public reads that bypass the edge cache (Authorization) per IP', async () => {
    const ip = newIp()
    const token = (await createUser('customer')).token
    const responses = await statuses(4, () =>
      send(
        '/v1/books?limit=1',
        { headers: { 'CF-Connecting-IP': ip, Authorization: `Bearer ${token}` } },
        tiny('PUBLIC'),
      ),
    )
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429])
    expect(responses[0]!.headers.get('Cache-Status')).toBe('Folio; fwd=bypass; detail=authorization')
  })

  it('counts the public Stripe webhook per IP', async () => {
    const ip = newIp()
    const responses = await statuses(4, () =>
      send(
        '/v1/webhooks/stripe',
        {
          method: 'POST',
          headers: { 'CF-Connecting-IP': ip, 'Content-Type': 'application/json' },
          body: '{}',
        },
        tiny('PUBLIC'),
      ),
    )
    expect(responses.map((response) => response.status)).toEqual([400, 400, 400, 429])
  })

  it('counts requests to unknown /v1 URLs per IP, though no route (and so no policy) matches', async () => {
    const ip = newIp()
    const responses = await statuses(4, () =>
      send('/v1/no-such-thing', { headers: { 'CF-Connecting-IP': ip } }, tiny('PUBLIC')),
    )
    expect(responses.map((response) => response.status)).toEqual([404, 404, 404, 429])
    expect(responses[3]!.headers.get('RateLimit')).toBe('"ip";r=0;t=60')
  })
})
