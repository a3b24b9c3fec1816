// The Worker's static assets (wrangler.toml `[assets]`): the API reference's script, copied from the pinned npm
// package into dist/public. `npm run dev`, `npm test`, `npm run fuzz` and `npm run deploy` call it; it is cheap
// when the copy is already there.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DOCS_SCRIPT_PATH, SCALAR_VERSION } from '../../src/features/docs/index.ts'

const ROOT = resolve(import.meta.dirname, '..', '..')
export const ASSETS_DIRECTORY = join(ROOT, 'dist', 'public')

// Versioned file names never change content, so browsers may keep them for a year.
const HEADERS = `/docs/assets/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff
`

export function ensureDocsAssets(): string {
  const target = join(ASSETS_DIRECTORY, DOCS_SCRIPT_PATH)
  if (!existsSync(target)) {
    // The package's `exports` map hides package.json and dist/browser, so read them from node_modules.
    const packageDirectory = join(ROOT, 'node_modules', '@scalar', 'api-reference')
    const { version } = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'))
    if (version !== SCALAR_VERSION) {
      throw new Error(
        `@scalar/api-reference ${version} is installed, src/features/docs expects ${SCALAR_VERSION}: run npm ci`,
      )
    }
    mkdirSync(dirname(target), { recursive: true })
    copyFileSync(join(packageDirectory, 'dist', 'browser', 'standalone.js'), target)
  }
  writeFileSync(join(ASSETS_DIRECTORY, '_headers'), HEADERS)
  return target
}

// `tsx scripts/lib/docs-assets.ts` (npm run deploy) runs it on its own.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stderr.write(`[assets] ${ensureDocsAssets()}\n`)
}
