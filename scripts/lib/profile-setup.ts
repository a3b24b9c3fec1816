// What both workerd profilers (scripts/profile-workerd.ts, scripts/profile-middleware.ts) share: their command
// line, and the bench's runtime served exactly as `npm run bench` serves it (config, bundle, D1 state).
import { BENCH_CLASSES, type BenchClass, buildClasses, type ClassDefinition } from './bench-classes.ts'
import type { Send } from './bench-flows.ts'
import {
  BENCH_CONFIG,
  type BenchServer,
  BUNDLE_DIR,
  prepareDatabase,
  startRuntime,
  writeBenchConfig,
} from './bench-server.ts'
import { bundleSize } from './bench-system.ts'
import { ensureDevVars } from './dev-vars.ts'
import { ensureDocsAssets } from './docs-assets.ts'
import { portInUse } from './port.ts'

/** `--name value` from the command line (the last occurrence wins), or the fallback. */
export function option(name: string): string | undefined
export function option(name: string, fallback: number): number
export function option(name: string, fallback?: number): string | number | undefined {
  const index = process.argv.lastIndexOf(`--${name}`)
  const value = index >= 0 ? process.argv[index + 1] : undefined
  return fallback === undefined ? value : Number(value ?? fallback)
}

export const log = (line: string) => console.error(`[profile] ${line}`)

/** The registry entries for these ids; exits with the list of ids on an unknown one. */
export function classDefinitions(ids: string[]): ClassDefinition[] {
  return ids.map((id) => {
    const definition = BENCH_CLASSES.find((entry) => entry.id === id)
    if (!definition) {
      console.error(`profile: no class ${id}; ids: ${BENCH_CLASSES.map((entry) => entry.id).join(', ')}`)
      process.exit(1)
    }
    return definition
  })
}

type RuntimeOptions = Omit<Parameters<typeof startRuntime>[2], 'bundleDir' | 'secrets'>

/**
 * Bundles, migrates and seeds as the bench does (`--books`: its catalog size, 10,000 unless a smaller one checks
 * that the tool runs), serves the bundle on `port` and builds the classes against it.
 */
export async function serveBenchClasses(
  port: number,
  definitions: ClassDefinition[],
  options: RuntimeOptions = {},
): Promise<{ server: BenchServer; classes: BenchClass[]; send: Send }> {
  if (await portInUse(port, '127.0.0.1')) {
    console.error(`profile: port ${port} is in use; pick another with --port`)
    process.exit(1)
  }
  const books = option('books', 10_000)
  const secrets = await ensureDevVars()
  ensureDocsAssets()
  writeBenchConfig()
  log('bundling (wrangler deploy --dry-run)')
  bundleSize(BUNDLE_DIR, BENCH_CONFIG)
  await prepareDatabase(books, log)
  const server = await startRuntime(port, books, { ...options, bundleDir: BUNDLE_DIR, secrets })
  const send: Send = (path, init) => fetch(`${server.origin}${path}`, init)
  try {
    const classes = await buildClasses({ send, books, webhookSecret: '', workers: 1 }, definitions)
    return { server, classes, send }
  } catch (error) {
    await server.stop()
    throw error
  }
}
