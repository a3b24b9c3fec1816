import { createRoute, z } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { createApp } from '../src/app'
import { sessions, users } from '../src/db/schema'
import { authenticatedBatch, signedIn } from '../src/features/auth'
import { listDevMail } from '../src/features/mail/mail.routes'
import { type PolicyStatement, publicRoute, securityFor, unmetered } from '../src/http/policy'
import { type AppRouteHandler, createRouter } from '../src/http/router'
import { requireAuth } from '../src/middleware/auth'
import { api, json } from './helpers/http'
import { roundTrips } from './helpers/round-trips'
import { createUser } from './helpers/tokens'

/**
 * Every route states its policy with one preset (src/http/policy.ts), and the published document says what the
 * preset does: `security` (which test/security.test.ts then drives against every route) and `x-folio-policy`.
 */

type Operation = { operationId: string; security: unknown[]; 'x-folio-policy'?: PolicyStatement }
type Entry = { method: string; path: string; operation: Operation }

/** Served by the app itself, not by a feature router: the document and the reference page. */
const NOT_ROUTED_BY_FEATURES = ['GET /openapi.json', 'GET /docs']

async function documentedOperations(): Promise<Entry[]> {
  const document = await json<{ paths: Record<string, Record<string, Operation>> }>(
    await api('GET', '/openapi.json'),
  )
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  )
}

const name = ({ method, path }: { method: string; path: string }) => `${method} ${path}`

describe('route policies in the published document', () => {
  it('every route the app serves has a policy preset', async () => {
    const operations = await documentedOperations()
    const withPolicy = new Set(operations.filter((entry) => entry.operation['x-folio-policy']).map(name))
    // The dev mail route is hidden from the document; its route definition carries the preset all the same.
    withPolicy.add(name({ method: 'GET', path: listDevMail.path }))
    expect(listDevMail['x-folio-policy'].preset).toBe('unmetered')
    const served = createApp()
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => name({ method: route.method, path: route.path.replace(/:(\w+)/g, '{$1}') }))
      .filter((route) => !NOT_ROUTED_BY_FEATURES.includes(route))
    expect(served.length).toBeGreaterThan(40)
    expect(served.filter((route) => !withPolicy.has(route))).toEqual([])
  })

  it('each operation’s security is the one its preset implies', async () => {
    for (const { method, path, operation } of await documentedOperations()) {
      const statement = operation['x-folio-policy']!
      expect(operation.security, `${method} ${path}`).toEqual(securityFor(statement))
    }
  })

  it('the presets follow the URL layout: admin under /admin, the auth limit on /auth, limits on all of /v1', async () => {
    for (const entry of await documentedOperations()) {
      const { preset, rateLimit } = entry.operation['x-folio-policy']!
      const label = name(entry)
      if (entry.path.startsWith('/v1/admin/')) expect(preset, label).toBe('admin')
      if (entry.path.startsWith('/v1/auth/')) expect(preset, label).toBe('authLimited')
      if (entry.path.startsWith('/v1/me')) expect(preset, label).toBe('signedIn')
      if (entry.path.startsWith('/v1/')) expect(rateLimit.length, label).toBeGreaterThan(0)
      else expect(preset, label).toBe('unmetered')
    }
  })

  it('only the public catalog reads are edge-cached', async () => {
    const cached = (await documentedOperations())
      .filter((entry) => entry.operation['x-folio-policy']!.cache === 'edge')
      .map(name)
    expect(cached.sort()).toEqual([
      'GET /v1/books',
      'GET /v1/books/{id}',
      'GET /v1/books/{id}/related',
      'GET /v1/search/suggest',
      'GET /v1/subjects',
      'GET /v1/subjects/{id}',
    ])
  })
})

const responses = { 200: { description: 'ok' } }

describe('createRouter() refuses a route without an intact preset', () => {
  const handler = (c: { text: (text: string) => Response }) => c.text('ok')

  it('refuses a route with no preset', () => {
    const route = createRoute({ method: 'get', path: '/probe', responses })
    expect(() => createRouter().openapi(route, handler as never)).toThrow(
      /GET \/probe: state the route's policy/,
    )
  })

  it('refuses a preset whose middleware or security was replaced after the spread', () => {
    const swapped = createRoute({
      method: 'get',
      path: '/probe',
      ...signedIn(),
      middleware: requireAuth(),
      responses,
    })
    expect(() => createRouter().openapi(swapped as never, handler as never)).toThrow(/policy/)
    // A document that claims a token the middleware never checks.
    const claimed = createRoute({
      method: 'get',
      path: '/probe',
      ...publicRoute(),
      security: [{ bearerAuth: [] }],
      responses,
    })
    expect(() => createRouter().openapi(claimed, handler as never)).toThrow(/policy/)
    const narrowed = createRoute({
      method: 'get',
      path: '/probe',
      ...signedIn(),
      security: [{ bearerAuth: ['admin'] }],
      responses,
    })
    expect(() => createRouter().openapi(narrowed, handler as never)).toThrow(/policy/)
  })

  it('accepts an intact preset', () => {
    const route = createRoute({ method: 'get', path: '/probe', ...unmetered(), responses })
    expect(() => createRouter().openapi(route, handler as never)).not.toThrow()
  })
})

describe('typed variables behind a preset', () => {
  it('c.var.user is non-optional behind signedIn() and absent-or-optional on a public route', () => {
    const mine = createRoute({
      method: 'get',
      path: '/me/probe',
      ...signedIn(),
      responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({}) } } } },
    })
    const anyone = createRoute({ method: 'get', path: '/probe', ...publicRoute(), responses })
    // Compile-time checks (npm run typecheck): no `!` is needed behind signedIn(); a public route must check.
    const signedInHandler: AppRouteHandler<typeof mine> = (c) => {
      const { id, sessionId }: { id: string; sessionId: string } = c.var.user
      return c.json({ id, sessionId }, 200)
    }
    const publicHandler: AppRouteHandler<typeof anyone> = (c) => {
      // @ts-expect-error: a public route's caller may be anonymous
      const id: string = c.var.user.id
      return c.text(id)
    }
    expect(typeof signedInHandler).toBe('function')
    expect(typeof publicHandler).toBe('function')
  })
})

describe('the session check of a signed-in read (src/features/auth/active-session.ts)', () => {
  const probe = createRoute({
    method: 'get',
    path: '/me/session-probe',
    ...signedIn(),
    responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({}) } } } },
  })

  /** The app with one signed-in read whose handler batches (`?batch`) or never touches the database. */
  function appWithProbe() {
    const app = createApp()
    app.route(
      '/v1',
      createRouter().openapi(probe, async (c) => {
        if (c.req.query('batch') === undefined) return c.json({ role: c.var.user.role }, 200)
        const [rows] = await authenticatedBatch(c, [c.var.db.select({ id: users.id }).from(users).limit(1)])
        return c.json({ role: c.var.user.role, rows: rows.length }, 200)
      }),
    )
    return (path: string, token: string) =>
      app.request(path, { headers: { Authorization: `Bearer ${token}` } }, harness.env)
  }

  it('a handler that never batched is still checked, after it and before its answer leaves', async () => {
    const request = appWithProbe()
    const live = await createUser('customer')
    const ok = await request('/v1/me/session-probe', live.token)
    expect(ok.status).toBe(200)
    expect(roundTrips(ok)).toBe(1)
    const revoked = await createUser('customer')
    await harness
      .db()
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(eq(sessions.id, decodeJwt(revoked.token).sid as string))
    const refused = await request('/v1/me/session-probe', revoked.token)
    expect(refused.status).toBe(401)
    expect(await refused.text()).not.toContain('"role"')
    // It may have decided with the token's role: a role the database no longer has is refused too.
    const demoted = await createUser('admin')
    await harness.db().update(users).set({ role: 'customer' }).where(eq(users.id, demoted.id))
    expect((await request('/v1/me/session-probe', demoted.token)).status).toBe(401)
  })

  it('authenticatedBatch sends the check with the reads (one round trip) and applies its role first', async () => {
    const request = appWithProbe()
    const demoted = await createUser('admin')
    await harness.db().update(users).set({ role: 'customer' }).where(eq(users.id, demoted.id))
    const answer = await request('/v1/me/session-probe?batch', demoted.token)
    expect(answer.status).toBe(200)
    expect(roundTrips(answer)).toBe(1)
    expect(await json(answer)).toEqual({ role: 'customer', rows: 1 })
    await harness
      .db()
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(eq(sessions.id, decodeJwt(demoted.token).sid as string))
    expect((await request('/v1/me/session-probe?batch', demoted.token)).status).toBe(401)
  })
})
