import { describe, expect, it } from 'vitest'
import { api } from './helpers/http'

/** Every source a CSP directive allows: none may be another host (no CDN, no font service). */
function cspSources(header: string): string[] {
  return header.split(';').flatMap((directive) => directive.trim().split(/\s+/).slice(1))
}

describe('GET /docs', () => {
  it('serves the API reference with same-origin scripts only and no inline script', async () => {
    const response = await api('GET', '/docs')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('text/html')
    const html = await response.text()
    expect(html).toContain('data-url="/openapi.json"')
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    const sources = scripts.map(([, attributes]) => attributes?.match(/\bsrc="([^"]+)"/)?.[1]).filter(Boolean)
    expect(sources).toEqual([
      expect.stringMatching(/^\/docs\/assets\/scalar-api-reference-\d+\.\d+\.\d+\.js$/),
    ])
    // The only script element without src is Scalar's JSON configuration, which browsers never execute.
    for (const [, attributes, body] of scripts) {
      if (attributes?.includes('src=')) expect(body).toBe('')
      else expect(attributes).toContain('type="application/json"')
    }
    expect(html).not.toMatch(/https?:\/\//)
  })

  it('sends a Content-Security-Policy that allows this origin only', async () => {
    const response = await api('GET', '/docs')
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toMatch(/script-src 'self'(;|$)/)
    expect(csp).toMatch(/font-src 'self'(;|$)/)
    expect(csp).toMatch(/connect-src 'self'(;|$)/)
    expect(csp).toMatch(/frame-ancestors 'none'/)
    for (const source of cspSources(csp)) expect(source, csp).toMatch(/^('[a-z-]+'|data:)$/)
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/)
  })
})
