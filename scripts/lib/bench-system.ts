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

/** The workerd processes under `pid` (Linux /proc); none where /proc cannot be read. */
export function workerdProcesses(pid: number | undefined): number[] {
  if (pid === undefined) return []
  const children = new Map<number, number[]>()
  const names = new Map<number, string>()
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        names.set(Number(entry), name)
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    return []
  }
  const found: number[] = []
  const visit = (current: number) => {
    if (names.get(current) === 'workerd') found.push(current)
    for (const child of children.get(current) ?? []) visit(child)
  }
  visit(pid)
  return found
}

/** CPU time (user + system, ms) the workerd processes under `pid` have used so far; null without /proc. */
export function workerdCpuMs(pid: number | undefined): number | null {
  const processes = workerdProcesses(pid)
  if (!processes.length) return null
  let ticks = 0
  for (const current of processes) {
    try {
      const fields = readFileSync(`/proc/${current}/stat`, 'utf8').split(') ')[1]!.split(' ')
      // utime and stime are fields 14 and 15 of proc(5), 11 and 12 after "pid (comm) ".
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // the process ended while we looked
    }
  }
  // USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
  return ticks * 10
}
