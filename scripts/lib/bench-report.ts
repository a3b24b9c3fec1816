// The bench's figures as a markdown table, and the targets checked against them as pass/fail lines.
import type { Targets } from './bench-classes.ts'
import type { CpuResult } from './bench-cpu.ts'
import type { FanoutResult } from './bench-fanout.ts'
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
  /** The fan-out class (N WebSockets on one book channel, admin writes); absent when skipped (--sockets 0). */
  fanout?: FanoutSummary
  /** --smoke: a fixed handful of requests per class, so req/s and ratios say nothing (their targets are n/a). */
  smoke?: boolean
}

/** What the fan-out class measured, or why it failed (`error`: it threw before it had figures). */
export type FanoutSummary = { result?: FanoutResult; error?: string; smoke: boolean }

/** At least this many sockets on one channel (issue 12). */
export const FANOUT_MIN_SOCKETS = 1000

function fanoutChecks(fanout: FanoutSummary): Check[] {
  const { result, error } = fanout
  const expected = result ? result.sockets * result.writes : 0
  return [
    {
      target: 'fan-out: every socket got the event exactly once',
      met: result ? result.delivered === expected : false,
      detail: result
        ? `${result.delivered}/${expected} delivered (${result.sockets} sockets × ${result.writes} write(s))`
        : `failed: ${error}`,
    },
    {
      target: `fan-out: >= ${FANOUT_MIN_SOCKETS.toLocaleString('en')} sockets on one channel`,
      met: !result ? false : result.sockets >= FANOUT_MIN_SOCKETS ? true : fanout.smoke ? null : false,
      detail: result
        ? `${result.sockets} sockets${fanout.smoke && result.sockets < FANOUT_MIN_SOCKETS ? ' (--smoke; run without it to judge)' : ''}`
        : 'no figures',
    },
  ]
}

/** True when the fan-out class ran and something went wrong (the bench then exits 1). */
export const fanoutFailed = (fanout: FanoutSummary | undefined): boolean =>
  fanout !== undefined && !fanoutChecks(fanout)[0]!.met

const kib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`)
const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / MiB).toFixed(0)} MiB`)

function renderFanout(fanout: FanoutSummary): string[] {
  const { result, error } = fanout
  if (!result) return ['### Fan-out', '', `Failed: ${error}`]
  return [
    `### Fan-out: ${result.sockets.toLocaleString('en')} WebSockets on one book channel, ${result.writes} admin write(s)`,
    '',
    '| delivered | commit → delivery p50 ms | p99 ms | max ms | first → last ms | from the response p50 / p99 ms | write ms | connect s | memory per idle socket |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${result.delivered}/${result.sockets * result.writes} | ${result.p50Ms} | ${result.p99Ms} | ${result.maxMs} | ` +
      `${result.spreadMs} | ${result.p50FromResponseMs} / ${result.p99FromResponseMs} | ${result.writeMs} | ` +
      `${result.connectSeconds} | ${kib(result.memoryPerSocketBytes)} |`,
    '',
    `workerd RSS ${mib(result.rssBeforeBytes)} before the sockets, ${mib(result.rssAfterBytes)} with them idle, ` +
      `${mib(result.rssClosedBytes)} after closing. Commit → delivery runs from the event's occurredAt (stamped ` +
      'as the change and its outbox row are written in one batch) to the frame at the subscriber.',
  ]
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
        met: row.ratioToCeiling === undefined || summary.smoke ? null : row.ratioToCeiling >= ratio,
        detail: `${fixed(row.ratioToCeiling, 2)}x (${fixed(row.requestsPerSecond, 0)} vs ${fixed(row.ceilingRequestsPerSecond, 0)} req/s)${summary.smoke ? ' (--smoke sends a fixed number of requests; run without it to judge)' : ''}`,
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
  if (summary.fanout) checks.push(...fanoutChecks(summary.fanout))
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
  ]
  if (summary.rows.length)
    lines.push(
      '| class | req/s | p50 ms | p99 ms | errors | bare worker req/s (interleaved) | × bare | D1 round trips | app CPU ms | SQLite CPU ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    )
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
    ...(summary.fanout ? [...renderFanout(summary.fanout), ''] : []),
    ...(summary.rows.length ? summary.notes : []).flatMap((note) => [note, '']),
  )
  return lines.join('\n').trimEnd()
}
