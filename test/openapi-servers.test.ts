import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { ConfigError, getConfig } from '../src/config'
import { json } from './helpers/http'

const hostile = { headers: { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' } }

describe('/openapi.json servers (issue 9 item 11)', () => {
  it('publishes the configured PUBLIC_API_URL, whatever Host the request names', async () => {
    const response = await harness.request('/openapi.json', hostile)
    expect(response.status).toBe(200)
    const document = await json(response)
    expect(document.servers).toEqual([{ url: 'http://localhost:8787' }])
  })

  it('follows the configuration, not the request', async () => {
    const response = await harness.requestWithEnv('/openapi.json', hostile, {
      PUBLIC_API_URL: 'https://api.folio.example',
    })
    expect((await json(response)).servers).toEqual([{ url: 'https://api.folio.example' }])
  })

  it('refuses a PUBLIC_API_URL that is not an http(s) origin', () => {
    const base = { ...harness.env } as Record<string, unknown>
    expect(() => getConfig({ ...base, PUBLIC_API_URL: 'https://api.folio.example/v1' })).toThrow(ConfigError)
    expect(() => getConfig({ ...base, PUBLIC_API_URL: 'javascript:alert(1)' })).toThrow(ConfigError)
  })
})
