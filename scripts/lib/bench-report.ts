// The bench's figures as a markdown table, and the targets checked against them as pass/fail lines.
import type { Targets } from './bench-classes.ts'
import type { CpuResult } from './bench-cpu.ts'
import type { BundleSize } from './bench-system.ts'

export type Row = {
  id: string
  name: string
  targets: Targets
  unavailable?: string
  requestsPerSecond?: number
  p50Ms?: number
  p99Ms?: number
  errors?: number
  requests?: number
  ratioToCeiling?: number
  /** The ceiling measured in slices interleaved with this class. */
  ceilingRequestsPerSecond?: number
  /** D1 round trips per request (of the `roundTripsOf` step for a flow), from Server-Timing. */
  roundTrips?: number
  /** For a flow: every step's round trips. */
  roundTripsDetail?: string
  cpu?: CpuResult
}

export type Summary = {
  date: string
  books: number
  seconds: number
  connections: number
  runtime: string
  machine: string
  /** How long seeding the catalog took in this run (0: it was already there). */
  seedSeconds: { d1: number; cpuProbe: number }
  notes: string[]
  bundle: BundleSize
  rows: Row[]
}

export type Check = { target: string; met: boolean | null; detail: string }

const MiB = 1024 * 1024

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits))

export function targetChecks(summary: Summary): Check[] {
  const checks: Check[] = []
  const measured = summary.rows.filter((row) => !row.unavailable)
  for (const row of measured) {
    const { ratio, roundTrips, cpuMs } = row.targets
    if (ratio !== undefined) {
      checks.push({
        target: `${row.name} >= ${ratio}x bare worker`,
        met: row.ratioToCeiling === undefined ? null : row.ratioToCeiling >= ratio,
        detail: `${fixed(row.ratioToCeiling, 2)}x (${fixed(row.requestsPerSecond, 0)} vs ${fixed(row.ceilingRequestsPerSecond, 0)} req/s)`,
      })
    }
    if (roundTrips !== undefined) {
      checks.push({
        target: `${row.name}: D1 round trips <= ${roundTrips}`,
        met: row.roundTrips === undefined ? null : row.roundTrips <= roundTrips,
        detail: row.roundTripsDetail ?? `${row.roundTrips ?? '–'}`,
      })
    }
    if (cpuMs !== undefined) {
      checks.push({
        target: `${row.name}: app CPU <= ${cpuMs} ms (Node probe)`,
        met: row.cpu === undefined ? null : row.cpu.appMs <= cpuMs,
        detail: `${fixed(row.cpu?.appMs, 3)} ms (+ ${fixed(row.cpu?.sqliteMs, 3)} ms SQLite)`,
      })
    }
  }
  const errors = measured.reduce((sum, row) => sum + (row.errors ?? 0), 0)
  checks.push({ target: 'zero errors', met: errors === 0, detail: `${errors} errors` })
  const page1 = summary.rows.find((row) => row.id === 'page1-uncached')
  const search = summary.rows.find((row) => row.id === 'search')
  if (page1?.p99Ms && search?.p99Ms !== undefined) {
    const ratio = search.p99Ms / page1.p99Ms
    checks.push({
      target: 'search p99 at 100,000 books < 4x page-1 p99',
      met: summary.books >= 100_000 ? ratio < 4 : null,
      detail: `${fixed(ratio, 2)}x at ${summary.books.toLocaleString('en')} books${summary.books < 100_000 ? ' (run --large to judge)' : ''}`,
    })
  }
  checks.push({
    target: 'bundle < 1 MiB gzip',
    met: summary.bundle.gzipBytes < MiB,
    detail: `${fixed(summary.bundle.gzipBytes / 1024)} KiB gzip`,
  })
  return checks
}

/** `PASS|FAIL|n/a  target: measured`, one line per check. */
export function renderChecks(checks: Check[]): string {
  return checks
    .map(
      (check) =>
        `${check.met === null ? 'n/a ' : check.met ? 'PASS' : 'FAIL'}  ${check.target}: ${check.detail}`,
    )
    .join('\n')
}

export function renderMarkdown(summary: Summary): string {
  const lines = [
    `## Folio bench, ${summary.date}`,
    '',
    `${summary.books.toLocaleString('en')} books · ${summary.connections} connections · ${summary.seconds} s per class · ${summary.runtime} · ${summary.machine}`,
    '',
    '| class | req/s | p50 ms | p99 ms | errors | bare worker req/s (interleaved) | × bare | D1 round trips | app CPU ms | SQLite CPU ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const row of summary.rows) {
    if (row.unavailable) {
      lines.push(`| ${row.name} | ${row.unavailable} | | | | | | | | |`)
      continue
    }
    lines.push(
      `| ${row.name} | ${fixed(row.requestsPerSecond, 0)} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ` +
        `${row.errors ?? '–'} | ${fixed(row.ceilingRequestsPerSecond, 0)} | ${fixed(row.ratioToCeiling, 2)} | ` +
        `${row.roundTripsDetail ?? row.roundTrips ?? '–'} | ${fixed(row.cpu?.appMs, 3)} | ${fixed(row.cpu?.sqliteMs, 3)} |`,
    )
  }
  const { rawBytes, gzipBytes } = summary.bundle
  lines.push(
    '',
    `Bundle (wrangler deploy --dry-run): ${fixed(rawBytes / 1024)} KiB raw, ${fixed(gzipBytes / 1024)} KiB gzip.`,
    '',
    ...summary.notes.flatMap((note) => [note, '']),
  )
  return lines.join('\n').trimEnd()
}
