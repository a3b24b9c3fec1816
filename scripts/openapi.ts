// `npm run openapi [-- --out file]`: the published OpenAPI document (what GET /openapi.json answers), written to a
// file (default .tmp/openapi.json) for `npm run lint:openapi` and client generators. The app runs in-process with
// throwaway keys; nothing reads .dev.vars or a database.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { exportJWK, generateKeyPair } from 'jose'
import { createApp } from '../src/app.ts'

const { values } = parseArgs({ options: { out: { type: 'string', default: '.tmp/openapi.json' } } })
const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
const env = {
  ENVIRONMENT: 'development',
  JWT_ISSUER: 'https://api.folio.example',
  JWT_AUDIENCE: 'folio-api',
  JWT_PRIVATE_JWK: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'openapi', alg: 'ES256' }),
  JWT_PUBLIC_JWKS: JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'openapi', alg: 'ES256' }],
  }),
  PASSWORD_PEPPER: 'not-a-secret-only-for-the-document',
}
const response = await createApp().request('https://api.folio.example/openapi.json', {}, env)
if (response.status !== 200) {
  process.stderr.write(`GET /openapi.json answered ${response.status}: ${await response.text()}\n`)
  process.exit(1)
}
mkdirSync(dirname(values.out), { recursive: true })
writeFileSync(values.out, `${JSON.stringify(await response.json(), null, 2)}\n`)
process.stderr.write(`[openapi] wrote ${values.out}\n`)
