import { describe, expect, it } from 'vitest'
import { createBook, createUser } from './helpers/commerce'
import { api, json } from './helpers/http'

/** The live routes' HTTP answers, in both runtimes (the WebSocket itself: test/live.workerd.test.ts). */
describe('live routes over plain HTTP', () => {
  it('answers 426 Upgrade Required (problem details) to a GET without an upgrade', async () => {
    const book = await createBook()
    const response = await api('GET', `/v1/live/books/${book}`)
    expect(response.status).toBe(426)
    expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    expect(response.headers.get('Upgrade')).toBe('websocket')
    expect(await json(response)).toMatchObject({
      status: 426,
      title: 'Upgrade Required',
      type: '/problems/upgrade-required',
    })
  })

  it('refuses without a token (401), a customer on the admin channel (403), an unknown book (404)', async () => {
    expect((await api('GET', '/v1/live/me')).status).toBe(401)
    const customer = await createUser()
    expect((await api('GET', '/v1/live/admin', { token: customer.token })).status).toBe(403)
    expect((await api('GET', '/v1/live/me', { token: customer.token })).status).toBe(426)
    const missing = await api('GET', '/v1/live/books/bk_00000000000000000000000000', {
      headers: { Upgrade: 'websocket' },
    })
    expect(missing.status).toBe(404)
    expect((await api('GET', '/v1/live/books/nope')).status).toBe(400)
    // Another user's channel has no address at all: /v1/live/me is always the caller's own.
    const other = await createUser()
    expect((await api('GET', `/v1/live/users/${other.id}`, { token: customer.token })).status).toBe(404)
    expect((await api('GET', `/v1/live/books/${await createBook()}?since=-1`)).status).toBe(400)
  })

  it('refuses a cross-site Origin with 403 before anything else', async () => {
    const book = await createBook()
    const response = await api('GET', `/v1/live/books/${book}`, {
      headers: { Origin: 'https://evil.example', Upgrade: 'websocket' },
    })
    expect(response.status).toBe(403)
  })
})
