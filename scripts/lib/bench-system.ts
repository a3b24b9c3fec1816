// Bundle size (wrangler deploy --dry-run) and the plain [vars] of a wrangler config, for the bench.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { wrangler } from './run.ts'

export type BundleSize = { rawBytes: number; gzipBytes: number; files: string[] }

/**
 * Builds what `wrangler deploy` would upload into `outdir` (the bench serves that very bundle) and measures it:
 * every JavaScript module in the dry-run output (source maps excluded).
 */
export function bundleSize(outdir = '.wrangler/bench-bundle', config = 'wrangler.toml'): BundleSize {
  rmSync(outdir, { recursive: true, force: true })
  wrangler(['deploy', '--dry-run', '--config', config, '--env=', '--outdir', outdir], { quiet: true })
  const files = readdirSync(outdir, { recursive: true })
    .map(String)
    .filter((file) => /\.(m?js|wasm)$/.test(file))
  let rawBytes = 0
  let gzipBytes = 0
  for (const file of files) {
    const path = join(outdir, file)
    rawBytes += statSync(path).size
    gzipBytes += gzipSync(readFileSync(path), { level: 9 }).length
  }
  return { rawBytes, gzipBytes, files }
}

/** `KEY = "value"` lines of the top-level [vars] table. */
export function readConfigVars(path: string): Record<string, string> {
  const vars: Record<string, string> = {}
  let inVars = false
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^\s*\[/.test(line)) inVars = line.trim() === '[vars]'
    const match = inVars ? line.match(/^\s*(\w+)\s*=\s*"(.*)"\s*$/) : null
    if (match?.[1]) vars[match[1]] = match[2] ?? ''
  }
  return vars
}
