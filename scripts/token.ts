// `npm run token -- --role admin [--sub usr_…] [--ttl 900]`: a dev-only access token signed with the local key
// from .dev.vars. It refuses to run without that file, so it can never mint production tokens.
// Such a token has no session: it passes the signature check only (every write needs a live session).
// `npm run token -- --email ada@example.com`: signs that local account in without its password (a real session
// in the local D1, listed under /v1/me/sessions), so every route works with curl.

import { parseArgs } from 'node:util'
import { eq } from 'drizzle-orm'
import { importJWK, SignJWT } from 'jose'
import { getConfig } from '../src/config.ts'
import { users } from '../src/db/schema/index.ts'
import { signAccessToken } from '../src/features/auth/access-tokens.ts'
import { newSession } from '../src/features/auth/sessions.service.ts'
import { CliError, result, runCli } from './lib/cli.ts'
import { readDevVars } from './lib/dev-vars.ts'
import { openLocalD1 } from './lib/local-d1.ts'

await runCli('token', async () => {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'customer' },
      sub: { type: 'string', default: 'usr_dev' },
      ttl: { type: 'string', default: '900' },
      email: { type: 'string' },
    },
  })
  const vars = readDevVars()
  if (!vars.JWT_PRIVATE_JWK)
    throw new CliError('No .dev.vars here: run `npm run dev` once to generate local keys')
  const issuer = process.env.JWT_ISSUER ?? 'http://localhost:8787'
  const audience = process.env.JWT_AUDIENCE ?? 'folio-api'

  async function sessionToken(email: string): Promise<string> {
    const local = await openLocalD1()
    try {
      const [user] = await local.db.select().from(users).where(eq(users.email, email.trim().toLowerCase()))
      if (!user) throw new CliError(`No local account ${email}: register it or run npm run admin:create`)
      const client = { ip: '127.0.0.1', userAgent: 'npm run token', device: 'npm run token', country: null }
      const session = await newSession(local.db, user.id, client)
      await local.db.batch([...session.statements])
      const config = getConfig({
        ...vars,
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: audience,
        ENVIRONMENT: 'development',
      })
      return await signAccessToken(config, { userId: user.id, role: user.role, sessionId: session.sessionId })
    } finally {
      await local.dispose()
    }
  }

  async function statelessToken(): Promise<string> {
    if (values.role !== 'admin' && values.role !== 'customer')
      throw new CliError('--role must be admin or customer')
    const jwk = JSON.parse(vars.JWT_PRIVATE_JWK!)
    const key = await importJWK(jwk, 'ES256')
    return new SignJWT({ role: values.role })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'at+jwt' })
      .setSubject(values.sub)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(`${Number(values.ttl)}s`)
      .sign(key)
  }

  result(values.email ? await sessionToken(values.email) : await statelessToken())
})
