import { describe, expect, it } from 'vitest'
import { api } from './helpers/http'

describe('GET /health', () => {
  it('checks the database and answers ok', async () => {
    const response = await api('GET', '/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' })
    expect(response.headers.get('X-Request-Id')).toBeTruthy()
  })
})
