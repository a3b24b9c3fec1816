import { describe, expect, it } from 'vitest'
import { address, createUser } from './helpers/commerce'
import { api, json } from './helpers/http'

describe('addresses', () => {
  it('creates, lists, updates and deletes the caller’s addresses', async () => {
    const customer = await createUser()
    const created = await api('POST', '/v1/me/addresses', { token: customer.token, body: address })
    expect(created.status).toBe(201)
    const body = await json(created)
    expect(body).toMatchObject({ ...address, country: 'GB', line2: null, region: null })
    expect(body.id).toMatch(/^adr_/)
    expect(created.headers.get('Location')).toBe(`/v1/me/addresses/${body.id}`)

    const list = await json(await api('GET', '/v1/me/addresses', { token: customer.token }))
    expect(list.data.map((entry: { id: string }) => entry.id)).toEqual([body.id])

    const patched = await api('PATCH', `/v1/me/addresses/${body.id}`, {
      token: customer.token,
      body: { city: 'Cambridge', region: 'Cambridgeshire' },
    })
    expect(patched.status).toBe(200)
    expect(await json(patched)).toMatchObject({
      city: 'Cambridge',
      region: 'Cambridgeshire',
      name: address.name,
    })

    expect((await api('DELETE', `/v1/me/addresses/${body.id}`, { token: customer.token })).status).toBe(204)
    expect((await json(await api('GET', '/v1/me/addresses', { token: customer.token }))).data).toEqual([])
  })

  it('validates fields: ISO country, required lines, phone, unknown fields', async () => {
    const customer = await createUser()
    const cases = [
      { ...address, country: 'XX' },
      { ...address, country: 'GBR' },
      { ...address, line1: '' },
      { ...address, phone: 'call me' },
      { ...address, extra: true },
    ]
    for (const body of cases) {
      const response = await api('POST', '/v1/me/addresses', { token: customer.token, body })
      expect(response.status).toBe(422)
    }
    const { name: _name, ...missingName } = address
    const response = await api('POST', '/v1/me/addresses', { token: customer.token, body: missingName })
    expect((await json(response)).errors[0].pointer).toBe('/body/name')
  })

  it('hides other customers’ addresses (404, never 403)', async () => {
    const alice = await createUser()
    const bob = await createUser()
    const { id } = await json(await api('POST', '/v1/me/addresses', { token: alice.token, body: address }))
    expect(
      (await api('PATCH', `/v1/me/addresses/${id}`, { token: bob.token, body: { city: 'X' } })).status,
    ).toBe(404)
    expect((await api('DELETE', `/v1/me/addresses/${id}`, { token: bob.token })).status).toBe(404)
    expect((await json(await api('GET', '/v1/me/addresses', { token: bob.token }))).data).toEqual([])
  })
})
