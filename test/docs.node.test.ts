import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ASSETS_DIRECTORY } from '../scripts/lib/docs-assets.ts'
import { docsScriptPath } from './helpers/docs'

// Workers static assets exist in workerd only; here the file the page names must be in the assets directory
// wrangler.toml points at, copied from the pinned package.
describe('/docs assets', () => {
  it('the script the page names is in the Worker assets, from the pinned @scalar/api-reference', async () => {
    const path = await docsScriptPath()
    const file = join(ASSETS_DIRECTORY, path)
    expect(existsSync(file), file).toBe(true)
    const pinned = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies['@scalar/api-reference']
    expect(path).toBe(`/docs/assets/scalar-api-reference-${pinned}.js`)
    expect(readFileSync(file, 'utf8')).toContain('createApiReference')
    expect(readFileSync('wrangler.toml', 'utf8')).toMatch(/\[assets\]\ndirectory = "\.\/dist\/public"/)
  })
})
