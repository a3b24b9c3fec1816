// Runs in the workerd project only (vitest.config.ts): it needs the Cache API, which Node does not have.
import { env } from 'cloudflare:test'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../src/config'
import { createDb } from '../src/db/client'
import type { AppEnv } from '../src/env'
import { edgeCache } from '../src/middleware/cache'

/**
 * The edge cache's own guard, behind a deliberately careless handler: whatever a route sets, an entry is stored
 * only when its headers derive from the key (issue 9 item 1: review every header stored with an entry).
 */
function probeApp(link: (c: { req: { url: string } }) => string) {
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('config', getConfig(env))
    c.set('db', createDb(env as never).db)
    await next()
  })
  app.get('/probe', edgeCache({ query: ['limit', 'cursor'] }), (c) => {
    c.header('Cache-Control', 'public, max-age=30')
    c.header('Link', link(c))
    return c.json({ ok: true })
  })
  return app
}

const url = () => `http://folio.test/probe?limit=${crypto.randomUUID()}`

describe('edge cache: stored headers derive from the key', () => {
  it('does not store an answer whose Link names a parameter outside the key', async () => {
    const app = probeApp((c) => `</probe?${new URL(c.req.url).searchParams}>; rel="next"`)
    const response = await app.request(`${url()}&junk=planted`)
    expect(response.headers.get('Cache-Status')).toBe('Folio; fwd=miss; detail=headers-not-storable')
  })

  it('does not store an answer whose headers are oversized', async () => {
    const app = probeApp(() => `</probe?cursor=${'a'.repeat(10_000)}>; rel="next"`)
    const response = await app.request(url())
    expect(response.headers.get('Cache-Status')).toBe('Folio; fwd=miss; detail=headers-not-storable')
  })

  it('stores an answer whose Link stays within the key', async () => {
    const app = probeApp(() => '</probe?cursor=abc&limit=2>; rel="next"')
    const response = await app.request(url())
    expect(response.headers.get('Cache-Status')).toBe('Folio; fwd=miss; stored')
  })
})
