// `tsx scripts/openapi.ts [--out file]` (npm run lint:openapi runs it): the published OpenAPI document (what GET /openapi.json answers), written to a
// file (default .tmp/openapi.json) for Redocly and client generators. The app runs in-process with
// throwaway keys; nothing reads .dev.vars or a database.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { createApp } from '../src/app.ts'
import { throwawayEnv } from './lib/throwaway-env.ts'

const { values } = parseArgs({ options: { out: { type: 'string', default: '.tmp/openapi.json' } } })
// The app's request log line (console.log) is not this script's output.
console.log = () => {}
// The production origin (wrangler.toml [env.production]), as the published document names it.
const env = await throwawayEnv({
  JWT_ISSUER: 'https://api.folio.example',
  PUBLIC_API_URL: 'https://api.folio.example',
})
const response = await createApp().request('https://api.folio.example/openapi.json', {}, env)
if (response.status !== 200) {
  process.stderr.write(`GET /openapi.json answered ${response.status}: ${await response.text()}\n`)
  process.exit(1)
}
mkdirSync(dirname(values.out), { recursive: true })
writeFileSync(values.out, `${JSON.stringify(await response.json(), null, 2)}\n`)
process.stderr.write(`[openapi] wrote ${values.out}\n`)
