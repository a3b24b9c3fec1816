import { eq } from 'drizzle-orm'
import { base64url, decodeJwt, exportJWK, generateKeyPair, importJWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { createApp } from '../src/app'
import { sessions } from '../src/db/schema'
import { address, type Customer, createBook, createUser, placeOrder } from './helpers/commerce'
import { api, json } from './helpers/http'
import { signToken } from './helpers/tokens'

/**
 * One security suite over every route, generated from the published OpenAPI document (as unkey's shared
 * security tests are): a route added to the document is covered here without a new test. For every protected
 * operation: no token, a forged, an expired and an unsigned (`alg: none`) token are 401 with a Bearer challenge
 * (RFC 6750 §3); a customer on an admin operation is 403 (OWASP API5), and on a customer operation is let in;
 * another user's order, address or session is 404 (OWASP API1: no object-level access, no existence oracle).
 * Public operations answer without a token. The document's operations are checked against the app's route table,
 * so a route missing from the document cannot escape the suite.
 */

type Operation = {
  operationId: string
  security: { bearerAuth?: string[] }[]
  requestBody?: unknown
  parameters?: { in: string; name: string }[]
}
type Entry = { method: string; path: string; operation: Operation }

/** Routes deliberately absent from the document: the document itself, the reference page, dev-only mail. */
const UNDOCUMENTED = ['GET /openapi.json', 'GET /docs', 'GET /_dev/mail']

let operations: Entry[] = []

beforeAll(async () => {
  const document = (await json(await api('GET', '/openapi.json'))) as {
    paths: Record<string, Record<string, Operation>>
  }
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  )
})

const isProtected = ({ operation }: Entry) => operation.security.length > 0
const isAdminOnly = ({ operation }: Entry) =>
  operation.security.some((requirement) => requirement.bearerAuth?.includes('admin'))
const name = ({ method, path }: Entry) => `${method} ${path}`

/** The operation's URL with well-formed ids that belong to nobody (auth is checked before the id is looked up). */
function url({ path }: Entry, ids: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, param: string) => ids[param] ?? unknownId(path, param))
}

function unknownId(path: string, param: string): string {
  const prefix = param === 'bookId' || path.startsWith('/v1/books') ? 'bk' : idPrefix(path)
  return `${prefix}_${'0'.repeat(26)}`
}

function idPrefix(path: string): string {
  if (path.includes('/addresses')) return 'adr'
  if (path.includes('/sessions')) return 'ses'
  if (path.includes('/users')) return 'usr'
  return 'ord'
}

function call(
  entry: Entry,
  token: string | undefined,
  options: { ids?: Record<string, string>; body?: unknown } = {},
) {
  const body = options.body ?? (entry.operation.requestBody ? {} : undefined)
  return api(entry.method, url(entry, options.ids), { token, body })
}

async function expectUnauthorized(entry: Entry, response: Response, label: string) {
  expect(response.status, `${name(entry)} with ${label}`).toBe(401)
  expect(response.headers.get('WWW-Authenticate'), `${name(entry)} with ${label}`).toMatch(/^Bearer\b/)
  expect(response.headers.get('Content-Type'), `${name(entry)} with ${label}`).toMatch(
    /^application\/problem\+json/,
  )
  expect((await json(response)).status).toBe(401)
}

/** Revokes the session behind a test user's token (as logout or "sign out other sessions" would). */
async function revoke(subject: Customer) {
  const sid = decodeJwt(subject.token).sid as string
  await harness
    .db()
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: 'logout' })
    .where(eq(sessions.id, sid))
}

/** Tokens that must never pass: each is refused exactly like a missing one. */
async function badTokens(subject: Customer): Promise<Record<string, string>> {
  const real = JSON.parse(harness.env.JWT_PRIVATE_JWK)
  const sessionClaim = decodeJwt(subject.token).sid
  // Same kid, another key: the signature does not verify (RFC 8725 §3.1).
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const forgedKey = await importJWK({ ...(await exportJWK(privateKey)), kid: real.kid }, 'ES256')
  const forged = await signToken({
    role: 'admin',
    sub: subject.id,
    key: forgedKey,
    kid: real.kid,
    claims: { sid: sessionClaim },
  })
  const expired = await signToken({
    sub: subject.id,
    claims: { sid: sessionClaim },
    expiresIn: Math.floor(Date.now() / 1000) - 120,
  })
  // RFC 8725 §2.1: `alg: none` must be refused, with or without a signature part.
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value))
  const claims = {
    sub: subject.id,
    role: 'admin',
    sid: sessionClaim,
    iss: harness.env.JWT_ISSUER,
    aud: harness.env.JWT_AUDIENCE,
    exp: Math.floor(Date.now() / 1000) + 300,
  }
  const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`
  const unsignedWithJunk = `${unsigned}c2lnbmF0dXJl`
  return {
    'a forged signature': forged,
    'an expired token': expired,
    'alg none': unsigned,
    'alg none with a signature part': unsignedWithJunk,
  }
}

describe('security over every route in the OpenAPI document', () => {
  it('the document lists every route the app serves (so none escapes this suite)', () => {
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    )
    const documented = new Set([...operations.map(name), ...UNDOCUMENTED])
    expect([...served].sort()).toEqual([...documented].sort())
    expect(operations.filter(isProtected).length).toBeGreaterThan(30)
    expect(operations.filter(isAdminOnly).length).toBeGreaterThan(10)
  })

  it('every protected operation answers 401 with a Bearer challenge to a missing or malformed token', async () => {
    for (const entry of operations.filter(isProtected)) {
      await expectUnauthorized(entry, await call(entry, undefined), 'no token')
      await expectUnauthorized(entry, await call(entry, 'not-a-jwt'), 'a malformed token')
    }
  })

  it('every protected operation answers 401 to a forged, expired or unsigned (alg none) token', async () => {
    const admin = await createUser('admin')
    const tokens = await badTokens(admin)
    for (const entry of operations.filter(isProtected)) {
      for (const [label, token] of Object.entries(tokens)) {
        await expectUnauthorized(entry, await call(entry, token), label)
      }
    }
  })

  it('every protected operation answers 401 to a valid token whose session was revoked', async () => {
    // A revoked session is refused on the very request, whichever way its route checks it: before the handler
    // (writes, admin), in the handler's first batch, or (a read that never batched) after the handler, in place
    // of its answer (src/features/auth/active-session.ts).
    const admin = await createUser('admin')
    await revoke(admin)
    for (const entry of operations.filter(isProtected)) {
      await expectUnauthorized(entry, await call(entry, admin.token), 'a revoked session')
    }
  })

  it('a revoked session reads none of its own data: every signed-in read answers 401 in its place', async () => {
    const owner = await createUser('customer', { name: 'Revoked Reader' })
    const order = await placeOrder(owner, [[await createBook({ stock: 5 }), 1]])
    const created = await api('POST', '/v1/me/addresses', { token: owner.token, body: address })
    expect(created.status).toBe(201)
    await revoke(owner)
    const reads = operations.filter(
      (entry) => entry.method === 'GET' && isProtected(entry) && !isAdminOnly(entry),
    )
    expect(reads.length).toBeGreaterThanOrEqual(7)
    for (const entry of reads) {
      const response = await call(entry, owner.token, { ids: { id: order.id } })
      await expectUnauthorized(entry, response.clone(), 'its own revoked session')
      const text = await response.text()
      // (The order's id is in its own URL, which a problem's `instance` repeats.)
      const secrets = ['Revoked Reader', address.line1, ...(entry.path.includes('{') ? [] : [order.id])]
      for (const secret of secrets) {
        expect(text, `${name(entry)} leaked its data`).not.toContain(secret)
      }
    }
  })

  it('a customer gets 403 on every admin operation and is let in on every other protected one', async () => {
    const customer = await createUser('customer')
    for (const entry of operations.filter(isProtected)) {
      const response = await call(entry, customer.token)
      if (isAdminOnly(entry)) {
        expect(response.status, name(entry)).toBe(403)
        expect((await json(response)).title).toBe('Forbidden')
      } else {
        expect([401, 403], `${name(entry)} answered ${response.status} to its own customer`).not.toContain(
          response.status,
        )
      }
    }
  })

  it('public operations answer without a token', async () => {
    // A public operation may refuse its own credential (a refresh token, a password: 401 there), but never asks
    // for an access token and never answers 403.
    for (const entry of operations.filter((operation) => !isProtected(operation))) {
      const response = await call(entry, undefined)
      expect(response.status, `${name(entry)} without a token`).not.toBe(403)
      expect(response.headers.get('WWW-Authenticate'), `${name(entry)} without a token`).toBeNull()
      expect(response.status, `${name(entry)} without a token`).toBeLessThan(500)
    }
  })
})

describe('another user’s objects are 404 on every customer operation that names one', () => {
  /**
   * The owned resource behind each customer path parameter, and a valid body where the operation takes one (so
   * the answer is about ownership, not validation). Cart items name a book, which nobody owns.
   */
  const NOT_OWNED = new Set(['/v1/me/cart/items/{bookId}'])
  const BODIES: Record<string, unknown> = {
    changeOrderAddress: { address },
    updateAddress: { city: 'Paris' },
  }

  it('orders, addresses and sessions of another customer are invisible and unchanged', async () => {
    const owner = await createUser('customer')
    const intruder = await createUser('customer')
    const order = await placeOrder(owner, [[await createBook({ stock: 5 }), 1]])
    const created = await api('POST', '/v1/me/addresses', { token: owner.token, body: address })
    expect(created.status).toBe(201)
    const savedAddress = await json(created)
    const sessions = await json(await api('GET', '/v1/me/sessions', { token: owner.token }))
    const ownedIds: Record<string, string> = {
      '/v1/orders/': order.id,
      '/v1/me/addresses/': savedAddress.id,
      '/v1/me/sessions/': sessions.data[0].id,
    }

    const owned = operations.filter(
      (entry) =>
        isProtected(entry) && !isAdminOnly(entry) && entry.path.includes('{') && !NOT_OWNED.has(entry.path),
    )
    const covered: string[] = []
    for (const entry of owned) {
      const prefix = Object.keys(ownedIds).find((start) => entry.path.startsWith(start))
      expect(prefix, `${name(entry)}: add its owned resource to this test`).toBeDefined()
      if (entry.operation.requestBody)
        expect(BODIES[entry.operation.operationId], `${name(entry)}: add a valid body`).toBeDefined()
      const id = ownedIds[prefix!]!
      const response = await call(entry, intruder.token, {
        ids: { id },
        body: BODIES[entry.operation.operationId],
      })
      expect(response.status, `${name(entry)} on another user's object`).toBe(404)
      expect(JSON.stringify(await json(response))).not.toContain(owner.id)
      covered.push(name(entry))
    }
    expect(covered.length).toBeGreaterThanOrEqual(6)

    // Nothing the intruder sent changed the owner's objects.
    const after = await json(await api('GET', `/v1/orders/${order.id}`, { token: owner.token }))
    expect(after.status).toBe(order.status)
    expect(after.shippingAddress ?? after.address).toEqual(order.shippingAddress ?? order.address)
    const addresses = await json(await api('GET', '/v1/me/addresses', { token: owner.token }))
    expect(addresses.data.map((item: { id: string; city: string }) => [item.id, item.city])).toEqual([
      [savedAddress.id, savedAddress.city],
    ])
    const sessionsAfter = await json(await api('GET', '/v1/me/sessions', { token: owner.token }))
    expect(sessionsAfter.data.map((session: { id: string }) => session.id)).toContain(sessions.data[0].id)
  })
})
