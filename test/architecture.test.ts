import { describe, expect, it } from 'vitest'

/**
 * The import rule (README, "Project layout"): a feature's face is its `index.ts`. Another feature, and anything
 * outside src/features (the app, the Worker entry), imports it only from there; the shared layers
 * (middleware/, db/, http/, lib/) know no feature at all.
 */

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>
  }
}

/** Every source file under src/, by its path relative to the repository (`src/app.ts`), read by Vite at build. */
const sources = Object.fromEntries(
  Object.entries(import.meta.glob('/src/**/*.ts', { query: '?raw', import: 'default', eager: true })).map(
    ([path, text]) => [path.replace(/^\//, ''), text],
  ),
)

/** Layers below the features: they may not import any feature. */
const SHARED_LAYERS = ['src/middleware/', 'src/db/', 'src/http/', 'src/lib/']

/** The specifiers of every static, re-export and dynamic import in a file. */
function specifiers(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/g))
    found.push(match[1]!)
  for (const match of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) found.push(match[1]!)
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!)
  return found
}

/** `from` resolved against the importing file's folder, without an extension (`src/features/auth/index`). */
function resolve(importer: string, specifier: string): string {
  const parts = importer.split('/').slice(0, -1)
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop()
    else if (part !== '.') parts.push(part)
  }
  return parts.join('/').replace(/\.ts$/, '')
}

const featureOf = (path: string) => /^src\/features\/([^/]+)\//.exec(`${path}/`)?.[1]

/** Every import that breaks the rule, as `importer → specifier (why)`. */
function importViolations(files: Record<string, string>): string[] {
  const violations: string[] = []
  for (const [importer, text] of Object.entries(files)) {
    const home = featureOf(importer)
    for (const specifier of specifiers(text)) {
      if (!specifier.startsWith('.')) continue
      const target = resolve(importer, specifier)
      const feature = featureOf(target)
      if (!feature || feature === home) continue
      if (SHARED_LAYERS.some((layer) => importer.startsWith(layer))) {
        violations.push(`${importer} → ${specifier} (a shared layer imports a feature)`)
        continue
      }
      const face = `src/features/${feature}`
      if (target !== face && target !== `${face}/index`)
        violations.push(`${importer} → ${specifier} (import ${face}/index.ts instead)`)
    }
  }
  return violations.sort()
}

describe('the import rule', () => {
  it('reads the whole source tree', () => {
    expect(Object.keys(sources)).toContain('src/app.ts')
    expect(Object.keys(sources)).toContain('src/features/auth/index.ts')
    expect(Object.keys(sources).length).toBeGreaterThan(100)
  })

  it('no file reaches into another feature past its index.ts, and no shared layer imports a feature', () => {
    expect(importViolations(sources)).toEqual([])
  })

  it('finds each kind of violation', () => {
    const violations = importViolations({
      'src/features/users/me.service.ts': [
        "import { revokeUserSessions } from '../auth/sessions.service'",
        "import { signedIn } from '../auth'",
        "import { toUser } from '../auth/index'",
        "export { thing } from './me.helpers'",
        "const lazy = () => import('../orders/checkout.service')",
      ].join('\n'),
      'src/app.ts': "import {\n  ListBooksQuerySchema,\n} from './features/books/books.schemas'",
      'src/index.ts': "import { runCommerceCron } from './features/orders'",
      'src/middleware/session.ts': "import { findActiveSession } from '../features/auth'",
      'src/db/seed/demo-books.ts': "import type { BookCreate } from '../../features/books/books.schemas'",
    })
    expect(violations).toEqual([
      'src/app.ts → ./features/books/books.schemas (import src/features/books/index.ts instead)',
      'src/db/seed/demo-books.ts → ../../features/books/books.schemas (a shared layer imports a feature)',
      'src/features/users/me.service.ts → ../auth/sessions.service (import src/features/auth/index.ts instead)',
      'src/features/users/me.service.ts → ../orders/checkout.service (import src/features/orders/index.ts instead)',
      'src/middleware/session.ts → ../features/auth (a shared layer imports a feature)',
    ])
  })
})

describe('the seed', () => {
  it('takes ISBN check digits from src/lib/isbn.ts and no schema from a feature', () => {
    const seed = Object.entries(sources).filter(([path]) => path.startsWith('src/db/seed/'))
    expect(seed.length).toBeGreaterThan(0)
    for (const [path, text] of seed) {
      expect(text, path).not.toMatch(/% 10/)
      expect(
        specifiers(text).some((specifier) => specifier.includes('features')),
        path,
      ).toBe(false)
    }
  })
})
