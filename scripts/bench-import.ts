// `npm run bench:import [-- --rows 10000 --port 8870]`: rows per second of a catalogue import, end to end on the
// real Worker (wrangler dev: miniflare's local D1, R2 and Queue). Generates a CSV of `rows` new books, uploads it
// as an admin to POST /v1/admin/imports, polls the job until it completes, then imports the same file again (every
// row unchanged). Rate = rows / (job.finishedAt − job.createdAt), the server's own clock: upload parsing, R2
// staging, every queue hop and every D1 batch included.
import { parseArgs } from 'node:util'
import { withCheckDigit } from '../src/lib/isbn.ts'
import { signUp } from './lib/bench-flows.ts'
import {
  BENCH_CONFIG,
  benchState,
  prepareDatabase,
  startServer,
  writeBenchConfig,
} from './lib/bench-server.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { wrangler } from './lib/run.ts'

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '10000' }, port: { type: 'string', default: '8870' } },
})
const rows = Number(values.rows)
const port = Number(values.port)
const log = (line: string) => console.error(`[bench:import] ${line}`)

/** A CSV of `count` books with ISBNs no earlier run used (a random 5-digit block after 979). */
function generateCsv(count: number): string {
  const block = String(Math.floor(Math.random() * 1e5)).padStart(5, '0')
  const lines = [
    'isbn,title,authors,description,language,published_year,price,currency,stock,publisher,format,page_count,subjects',
  ]
  for (let index = 0; index < count; index++) {
    const isbn = withCheckDigit(`979${block}${String(index).padStart(4, '0')}`)
    lines.push(
      `${isbn},"Generated Book ${index}, Volume ${index % 7}",Author ${index % 500};Second Author,"A description of book ${index}.",en,${1950 + (index % 70)},${(5 + (index % 40)).toFixed(2)},EUR,${index % 25},Bench Press,${index % 2 ? 'paperback' : 'hardcover'},${100 + (index % 600)},FIC${String(index % 100).padStart(6, '0')}`,
    )
  }
  return lines.join('\n')
}

type Job = {
  id: string
  status: string
  totalRows: number
  created: number
  unchanged: number
  rejected: number
  createdAt: string
  finishedAt: string | null
}

async function runImport(origin: string, token: string, csv: string): Promise<Job> {
  const response = await fetch(`${origin}/v1/admin/imports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' },
    body: csv,
  })
  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${await response.text()}`)
  const { id } = (await response.json()) as Job
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const job = (await (
      await fetch(`${origin}/v1/admin/imports/${id}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as Job
    if (job.status === 'failed') throw new Error(`import failed: ${JSON.stringify(job)}`)
    if (job.status === 'completed') return job
  }
}

function report(label: string, job: Job) {
  const seconds = (Date.parse(job.finishedAt!) - Date.parse(job.createdAt)) / 1000
  const rate = job.totalRows / seconds
  console.log(
    `${label.padEnd(28)} ${job.totalRows} rows in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} rows/s  (created ${job.created}, unchanged ${job.unchanged}, rejected ${job.rejected})`,
  )
}

await ensureDevVars()
writeBenchConfig()
await prepareDatabase(0, log)
log(`starting wrangler dev on 127.0.0.1:${port}`)
const server = await startServer(port, 0)
try {
  const send = (path: string, init?: RequestInit) => fetch(`${server.origin}${path}`, init)
  const admin = await signUp(send, 'import')
  // An admin of the bench's own throwaway database (the role is read from the database on every admin request).
  wrangler(
    [
      'd1',
      'execute',
      'DB',
      '--local',
      '--config',
      BENCH_CONFIG,
      '--persist-to',
      benchState(0),
      '--command',
      `UPDATE users SET role = 'admin' WHERE email = '${admin.email}'`,
    ],
    { quiet: true },
  )
  const csv = generateCsv(rows)
  log(`importing ${rows} rows (${(csv.length / 1024 / 1024).toFixed(1)} MB of CSV)`)
  report('first import (all new)', await runImport(server.origin, admin.token, csv))
  report('same file again (unchanged)', await runImport(server.origin, admin.token, csv))
} finally {
  await server.stop()
}
