import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

// The reference's script is a Workers static asset (wrangler.toml [assets]): the platform answers it before the
// Worker runs, so it is fetched here from the same asset store (SELF reaches the Worker itself).
const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS

describe('GET /docs/assets/…', () => {
  it('serves the pinned reference script the page names, as JavaScript', async () => {
    const page = await (await SELF.fetch('http://folio.test/docs')).text()
    const path = page.match(/<script src="([^"]+)"/)?.[1]
    expect(path).toMatch(/^\/docs\/assets\/scalar-api-reference-\d+\.\d+\.\d+\.js$/)
    const response = await assets.fetch(`http://folio.test${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^text\/javascript/)
    const script = await response.text()
    expect(script).toContain('createApiReference')
    expect(script.length).toBeGreaterThan(100_000)
  })
})
