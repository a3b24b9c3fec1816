// `npm run client:check`: proves the typed client works in a frontend's project, outside this repository. A temp
// project gets only hono (the exact version the API uses) and typescript, copied from node_modules (no network),
// plus the built client (dist/client). A consumer file is compiled with `strict` and TypeScript's default libs
// (no Workers types, no ES2023), then run against the app served over HTTP on a fresh libSQL database.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { createApp } from '../src/app.ts'
import { getLibsqlClient } from '../src/db/client.ts'
import * as schema from '../src/db/schema/index.ts'
import { seedDemoCatalog } from '../src/db/seed/index.ts'
import { buildClient } from './client.ts'
import { throwawayEnv } from './lib/throwaway-env.ts'

const ROOT = resolve(import.meta.dirname, '..')
const log = (message: string) => process.stderr.write(`[client:check] ${message}\n`)

const CONSUMER = `import { hcFolio, type FolioClient } from '@folio/client'

export async function main(baseUrl: string): Promise<string> {
  const api: FolioClient = hcFolio(baseUrl)
  const page = await api.v1.books.$get({ query: { limit: '2' } })
  if (page.status !== 200) throw new Error(\`GET /v1/books answered \${page.status}\`)
  const { data } = await page.json()
  const first = data[0]
  if (!first) throw new Error('the catalog is empty')
  const isbn: string = first.isbn
  // @ts-expect-error the answer has no such field: the types are real, not any
  first.noSuchField

  const one = await api.v1.books[':id'].$get({ param: { id: first.id } })
  if (one.status !== 200) throw new Error(\`GET /v1/books/{id} answered \${one.status}\`)
  const book = await one.json()
  const missing = await api.v1.books[':id'].$get({ param: { id: 'bk_00000000000000000000000000' } })
  if (missing.status !== 404) throw new Error(\`an unknown book answered \${missing.status}\`)
  const problem = await missing.json()

  // @ts-expect-error no such route
  api.v1.noSuchRoute
  // @ts-expect-error a registration needs an email string
  void api.v1.auth.register.$post({ json: { email: 42 } })
  return \`\${book.title} (\${isbn}); unknown id: \${problem.status} \${problem.title}\`
}
`

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    outDir: 'out',
    skipLibCheck: false,
  },
  include: ['consumer.ts'],
}

async function readBody(request: IncomingMessage): Promise<ArrayBuffer | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
}

/** The app over HTTP on 127.0.0.1, on a fresh libSQL file: what a frontend's client talks to. */
async function serveApp(directory: string) {
  const env = await throwawayEnv({ LIBSQL_URL: `file:${join(directory, 'folio.db')}` })
  const client = getLibsqlClient(env.LIBSQL_URL!)
  await migrate(drizzle(client), { migrationsFolder: join(ROOT, 'drizzle') })
  await seedDemoCatalog(drizzle(client, { schema }) as never)
  const app = createApp()
  // The app's per-request log lines (console.log) are not this check's output; errors still print.
  console.log = () => {}
  const context = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} }
  const server = createServer(async (request, response) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value)
    }
    const answer = await app.fetch(
      new Request(`http://${request.headers.host}${request.url}`, {
        method: request.method,
        headers,
        body: await readBody(request),
      }),
      env,
      context as unknown as ExecutionContext,
    )
    const answerHeaders: Record<string, string> = {}
    answer.headers.forEach((value, name) => {
      answerHeaders[name] = value
    })
    response.writeHead(answer.status, answerHeaders)
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) }
}

/** Runs a child without blocking this process, which serves the app meanwhile. */
function run(command: string, args: string[], cwd: string): Promise<boolean> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', () => done(false))
    child.on('exit', (code) => done(code === 0))
  })
}

const work = mkdtempSync(join(tmpdir(), 'folio-client-check-'))
let ok = false
try {
  const built = buildClient()
  for (const name of ['hono', 'typescript']) {
    cpSync(join(ROOT, 'node_modules', name), join(work, 'node_modules', name), { recursive: true })
  }
  cpSync(built, join(work, 'node_modules', '@folio', 'client'), { recursive: true })
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({ name: 'frontend', private: true, type: 'module' }),
  )
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
  writeFileSync(join(work, 'consumer.ts'), CONSUMER)
  writeFileSync(
    join(work, 'run.mjs'),
    "import { main } from './out/consumer.js'\nconsole.log(await main(process.argv[2]))\n",
  )
  log(`compiling a consumer in ${work} (hono + typescript only, strict, default libs)`)
  if (
    !(await run(process.execPath, [join(work, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work], work))
  ) {
    throw new Error('the consumer does not compile against dist/client')
  }
  const server = await serveApp(work)
  try {
    log(`calling ${server.url} through the compiled client`)
    if (!(await run(process.execPath, [join(work, 'run.mjs'), server.url], work)))
      throw new Error('the consumer failed')
  } finally {
    await server.close()
  }
  ok = true
} catch (error) {
  log(error instanceof Error ? error.message : String(error))
} finally {
  if (process.env.CLIENT_CHECK_KEEP !== '1') rmSync(work, { recursive: true, force: true })
}
log(ok ? 'ok' : 'FAILED')
process.exit(ok ? 0 : 1)
