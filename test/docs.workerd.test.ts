import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { docsScriptPath } from './helpers/docs'

// The reference's script is a Workers static asset (wrangler.toml [assets]): the platform answers it before the
// Worker runs, so it is fetched here from the same asset store (SELF reaches the Worker itself).
const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS

describe('GET /docs/assets/…', () => {
  it('serves the pinned reference script the page names, as JavaScript', async () => {
    const path = await docsScriptPath()
    expect(path).toMatch(/^\/docs\/assets\/scalar-api-reference-\d+\.\d+\.\d+\.js$/)
    const response = await assets.fetch(`http://folio.test${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^text\/javascript/)
    const script = await response.text()
    expect(script).toContain('createApiReference')
    expect(script.length).toBeGreaterThan(100_000)
  })
})
