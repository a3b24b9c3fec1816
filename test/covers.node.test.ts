import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { createBook } from './helpers/commerce'
import { api, json } from './helpers/http'
import { jpeg } from './helpers/images'
import { createUser } from './helpers/tokens'

describe('covers without R2 (the Node/libSQL runtime)', () => {
  it('answer a clear 503 problem on every cover route', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const responses = [
      await harness.request(`/v1/books/${bookId}/cover`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'image/jpeg' },
        body: jpeg(600, 900),
      }),
      await api('DELETE', `/v1/books/${bookId}/cover`, { token: admin.token }),
      await harness.request(`/v1/covers/${bookId}/0123456789abcdef.jpg`),
    ]
    for (const response of responses) {
      expect(response.status).toBe(503)
      expect(response.headers.get('Content-Type')).toMatch(/^application\/problem\+json/)
      expect(await json(response)).toMatchObject({
        title: 'Covers unavailable',
        detail: expect.stringMatching(/R2/),
      })
    }
  })
})
