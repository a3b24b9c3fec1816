// `npm run bench:identity [-- --runs 50]`: CPU time per request of POST /v1/auth/login and an authenticated
// GET /v1/me, measured in-process (the app over a throwaway libSQL file, no network) with process.cpuUsage().
// The numbers include the app, jose, WebCrypto (PBKDF2 runs in native code, as in workerd) and the SQLite
// engine itself, so they are an upper bound for the Worker's own CPU time on D1 (where SQL runs elsewhere).
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { exportJWK, generateKeyPair } from 'jose'
import { createApp } from '../src/app.ts'
import { getLibsqlClient } from '../src/db/client.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' } } })
const runs = Number(values.runs)

const directory = join(tmpdir(), 'folio-bench')
mkdirSync(directory, { recursive: true })
const url = `file:${join(directory, `${randomUUID()}.db`)}`
await migrate(drizzle(getLibsqlClient(url)), { migrationsFolder: './drizzle' })

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
const env = {
  ENVIRONMENT: 'test',
  JWT_ISSUER: 'http://localhost:8787',
  JWT_AUDIENCE: 'folio-api',
  JWT_PRIVATE_JWK: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256' }),
  JWT_PUBLIC_JWKS: JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256' }],
  }),
  PASSWORD_PEPPER: 'bench-pepper-0123456789',
  LIBSQL_URL: url,
}
const pending: Promise<unknown>[] = []
const context = {
  waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
  passThroughOnException() {},
  props: {},
}
const app = createApp()
const call = async (path: string, init: RequestInit) => {
  const response = await app.request(path, init, env, context as unknown as ExecutionContext)
  await Promise.all(pending.splice(0))
  return response
}

const json = { 'Content-Type': 'application/json', 'cf-connecting-ip': '10.0.0.1', 'User-Agent': 'bench' }
const credentials = { email: 'bench@example.com', password: 'a benchmark passphrase' }
await call('/v1/auth/register', {
  method: 'POST',
  headers: json,
  body: JSON.stringify({ ...credentials, name: 'Bench' }),
})

async function measure(label: string, run: () => Promise<Response>) {
  await run() // warm-up: key import, JIT
  const cpu = process.cpuUsage()
  const wall = performance.now()
  for (let index = 0; index < runs; index++) {
    const response = await run()
    if (response.status !== 200) throw new Error(`${label}: ${response.status} ${await response.text()}`)
  }
  const used = process.cpuUsage(cpu)
  const perRequest = (used.user + used.system) / 1000 / runs
  console.log(
    `${label.padEnd(22)} ${perRequest.toFixed(2)} ms CPU / request  (${((performance.now() - wall) / runs).toFixed(2)} ms wall, ${runs} runs)`,
  )
}

const login = () =>
  call('/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify(credentials) })
await measure('POST /v1/auth/login', login)
const { accessToken } = (await (await login()).json()) as { accessToken: string }
await measure('GET /v1/me', () => call('/v1/me', { headers: { Authorization: `Bearer ${accessToken}` } }))
