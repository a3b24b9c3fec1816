import { eq, inArray } from 'drizzle-orm'
import { describe, expect, it, onTestFinished } from 'vitest'
import { harness } from '#harness'
import { users } from '../src/db/schema'
import { login, PASSWORD, register, signedIn } from './helpers/accounts'
import { api, json } from './helpers/http'
import { signToken } from './helpers/tokens'

const adminRoutes = (id: string) =>
  [
    ['GET', '/v1/admin/users', undefined],
    ['PATCH', `/v1/admin/users/${id}`, { role: 'admin' }],
    ['DELETE', `/v1/admin/users/${id}`, undefined],
  ] as const

describe('admin routes are for admins only (OWASP API5)', () => {
  it('answers 403 to a customer on every admin route, and changes nothing', async () => {
    const customer = await signedIn()
    for (const [method, path, body] of adminRoutes(customer.user.id)) {
      const response = await api(method, path, { token: customer.tokens.accessToken, body })
      expect(response.status, `${method} ${path}`).toBe(403)
    }
    expect((await json(await api('GET', '/v1/me', { token: customer.tokens.accessToken }))).role).toBe(
      'customer',
    )
  })

  it('answers 401 without a token, and to a signed admin token without a live session', async () => {
    const { user } = await register()
    const forged = await signToken({ role: 'admin' })
    for (const [method, path, body] of adminRoutes(user.id)) {
      expect((await api(method, path, { body })).status, `${method} ${path}`).toBe(401)
      expect((await api(method, path, { token: forged, body })).status, `${method} ${path}`).toBe(401)
    }
  })
})

describe('GET /v1/admin/users', () => {
  it('searches by email or name and paginates with a cursor', async () => {
    const admin = await signedIn({ role: 'admin' })
    const tag = `tag${crypto.randomUUID().slice(0, 8)}`
    for (let index = 0; index < 3; index++) await register({ name: `Reader ${tag} ${index}` })
    const token = admin.tokens.accessToken
    const first = await json(await api('GET', `/v1/admin/users?q=${tag}&limit=2`, { token }))
    expect(first.data).toHaveLength(2)
    expect(first.nextCursor).toBeTruthy()
    const second = await json(
      await api('GET', `/v1/admin/users?q=${tag}&limit=2&cursor=${first.nextCursor}`, { token }),
    )
    expect(second.data).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    const names = [...first.data, ...second.data].map((user: { name: string }) => user.name)
    expect(names).toEqual([`Reader ${tag} 2`, `Reader ${tag} 1`, `Reader ${tag} 0`])
    const admins = await json(await api('GET', '/v1/admin/users?role=admin&limit=100', { token }))
    expect(admins.data.every((user: { role: string }) => user.role === 'admin')).toBe(true)
    expect((await api('GET', '/v1/admin/users?cursor=garbage', { token })).status).toBe(400)
  })
})

describe('PATCH /v1/admin/users/{id}', () => {
  it('promotes and demotes; a demoted admin loses admin access at once', async () => {
    const admin = await signedIn({ role: 'admin' })
    const other = await signedIn()
    const promoted = await api('PATCH', `/v1/admin/users/${other.user.id}`, {
      token: admin.tokens.accessToken,
      body: { role: 'admin' },
    })
    expect(promoted.status).toBe(200)
    expect((await json(promoted)).role).toBe('admin')
    // The role is read from the database on admin routes, so the old customer token already works there.
    expect((await api('GET', '/v1/admin/users', { token: other.tokens.accessToken })).status).toBe(200)
    const demoted = await api('PATCH', `/v1/admin/users/${other.user.id}`, {
      token: admin.tokens.accessToken,
      body: { role: 'customer' },
    })
    expect(demoted.status).toBe(200)
    expect((await api('GET', '/v1/admin/users', { token: other.tokens.accessToken })).status).toBe(403)
  })

  it('rejects unknown fields and unknown users', async () => {
    const admin = await signedIn({ role: 'admin' })
    const { user } = await register()
    const token = admin.tokens.accessToken
    expect(
      (await api('PATCH', `/v1/admin/users/${user.id}`, { token, body: { role: 'admin', email: 'x@y.z' } }))
        .status,
    ).toBe(422)
    expect(
      (
        await api('PATCH', '/v1/admin/users/usr_00000000000000000000000000', {
          token,
          body: { role: 'admin' },
        })
      ).status,
    ).toBe(404)
  })

  it('refuses to demote the last admin, themselves included', async () => {
    const admin = await signedIn({ role: 'admin' })
    // Make this the only admin (the guard counts every admin); the others are restored at the end.
    const db = harness.db()
    const others = await db.update(users).set({ role: 'customer' }).where(eq(users.role, 'admin')).returning()
    await db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.user.id))
    onTestFinished(async () => {
      const ids = others.map((user) => user.id).filter((id) => id !== admin.user.id)
      if (ids.length > 0) await db.update(users).set({ role: 'admin' }).where(inArray(users.id, ids))
    })
    const self = await api('PATCH', `/v1/admin/users/${admin.user.id}`, {
      token: admin.tokens.accessToken,
      body: { role: 'customer' },
    })
    expect(self.status).toBe(409)
    expect(
      (await api('DELETE', `/v1/admin/users/${admin.user.id}`, { token: admin.tokens.accessToken })).status,
    ).toBe(409)
    expect(
      (await api('DELETE', '/v1/me', { token: admin.tokens.accessToken, body: { password: PASSWORD } }))
        .status,
    ).toBe(409)
    // With a second admin, stepping down works.
    const second = await signedIn({ role: 'admin' })
    expect(
      (
        await api('PATCH', `/v1/admin/users/${admin.user.id}`, {
          token: second.tokens.accessToken,
          body: { role: 'customer' },
        })
      ).status,
    ).toBe(200)
  })
})

describe('DELETE /v1/admin/users/{id}', () => {
  it('deletes a user and their data; their tokens stop working', async () => {
    const admin = await signedIn({ role: 'admin' })
    const victim = await signedIn()
    const response = await api('DELETE', `/v1/admin/users/${victim.user.id}`, {
      token: admin.tokens.accessToken,
    })
    expect(response.status).toBe(204)
    expect((await api('GET', '/v1/me', { token: victim.tokens.accessToken })).status).toBe(401)
    expect((await login(victim.email, PASSWORD)).status).toBe(401)
    expect(
      (await api('DELETE', `/v1/admin/users/${victim.user.id}`, { token: admin.tokens.accessToken })).status,
    ).toBe(404)
  })
})
