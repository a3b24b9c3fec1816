// `npm run token -- --role admin [--sub usr_…] [--ttl 900]`: a dev-only access token signed with the local key
// from .dev.vars. It refuses to run without that file, so it can never mint production tokens.
import { parseArgs } from 'node:util'
import { importJWK, SignJWT } from 'jose'
import { readDevVars } from './lib/dev-vars.ts'

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'customer' },
    sub: { type: 'string', default: 'usr_dev' },
    ttl: { type: 'string', default: '900' },
  },
})
const vars = readDevVars()
if (!vars.JWT_PRIVATE_JWK) throw new Error('No .dev.vars: run `npm run dev` once to generate local keys')
if (values.role !== 'admin' && values.role !== 'customer') throw new Error('--role must be admin or customer')
const jwk = JSON.parse(vars.JWT_PRIVATE_JWK)
const key = await importJWK(jwk, 'ES256')
const token = await new SignJWT({ role: values.role })
  .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'at+jwt' })
  .setSubject(values.sub)
  .setIssuer(process.env.JWT_ISSUER ?? 'http://localhost:8787')
  .setAudience(process.env.JWT_AUDIENCE ?? 'folio-api')
  .setIssuedAt()
  .setJti(crypto.randomUUID())
  .setExpirationTime(`${Number(values.ttl)}s`)
  .sign(key)
console.log(token)
