import { Validator } from '@cfworker/json-schema'
import { describe, expect, it } from 'vitest'
import { bookInput, createBook } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

type Operation = {
  operationId?: string
  security?: unknown[]
  parameters?: { in: string; name: string }[]
  requestBody?: { content?: Record<string, unknown> }
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }
  >
}
type Document = {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown> }
}

/** Inlines `#/components/schemas/X` references so each response schema validates on its own. */
function dereference(node: unknown, document: Document): unknown {
  if (Array.isArray(node)) return node.map((item) => dereference(item, document))
  if (!node || typeof node !== 'object') return node
  const ref = (node as { $ref?: string }).$ref
  if (ref) return dereference(document.components.schemas[ref.split('/').pop()!], document)
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, dereference(value, document)]))
}

async function loadDocument(): Promise<Document> {
  const response = await api('GET', '/openapi.json')
  expect(response.status).toBe(200)
  return json<Document>(response)
}

/** Checks a real response against the document: its status is documented and its JSON body fits the schema. */
async function expectConforms(document: Document, method: string, pattern: string, response: Response) {
  const operation = document.paths[pattern]?.[method]
  expect(operation, `${method} ${pattern} is documented`).toBeDefined()
  const documented = operation!.responses[String(response.status)]
  expect(documented, `${method} ${pattern} documents status ${response.status}`).toBeDefined()
  const type = response.headers.get('Content-Type')?.split(';')[0] ?? ''
  const text = await response.text()
  if (text === '') {
    expect(documented?.content, `${method} ${pattern} ${response.status} has a body`).toBeUndefined()
    return
  }
  const schema = documented?.content?.[type]?.schema
  expect(schema, `${method} ${pattern} ${response.status} documents ${type}`).toBeDefined()
  const result = new Validator(dereference(schema, document) as object, '2020-12').validate(JSON.parse(text))
  expect(result.errors, `${method} ${pattern} ${response.status} body`).toEqual([])
}

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 and lists every route with its errors', async () => {
    const document = await loadDocument()
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/books', '/v1/books/{id}', '/health']),
    )
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0)
        if (path.startsWith('/v1/'))
          expect(operation.responses['500'], `${method} ${path} documents 500`).toBeDefined()
        if (operation.security?.length)
          expect(operation.responses['401'], `${method} ${path} documents 401`).toBeDefined()
      }
    }
  })

  it('names every operation once, states its security, and documents the standard errors', async () => {
    const document = await loadDocument()
    const operationIds: string[] = []
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`
        expect(operation.operationId, `${name} has an operationId`).toMatch(/^[a-z][A-Za-z]+$/)
        operationIds.push(operation.operationId!)
        expect(Array.isArray(operation.security), `${name} states its security`).toBe(true)
        const isProtected = operation.security!.length > 0
        const statuses = Object.keys(operation.responses)
        const expected = ['500']
        if (operation.requestBody) expected.push('400', '422')
        if (operation.parameters?.length) expected.push('400')
        if (operation.parameters?.some((parameter) => parameter.in === 'path')) expected.push('404')
        if (isProtected) expected.push('401', '403')
        if (path.startsWith('/v1/')) expected.push('429', '503')
        if (path.startsWith('/v1/') && ['post', 'put', 'patch', 'delete'].includes(method))
          expected.push('413', '415')
        expect(statuses, name).toEqual(expect.arrayContaining(expected))
        for (const status of statuses.filter((code) => Number(code) >= 400)) {
          expect(Object.keys(operation.responses[status]!.content ?? {}), `${name} ${status}`).toEqual([
            'application/problem+json',
            'application/problem+xml',
          ])
        }
        if (statuses.includes('429'))
          expect(Object.keys(operation.responses['429']!.headers ?? {}), `${name} 429 headers`).toEqual(
            expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']),
          )
        if (isProtected)
          expect(Object.keys(operation.responses['401']!.headers ?? {}), `${name} 401 headers`).toContain(
            'WWW-Authenticate',
          )
      }
    }
    expect(new Set(operationIds).size, 'operationIds are unique').toBe(operationIds.length)
    // The names generated clients show: spot-check that they stay what they were.
    expect(document.paths['/v1/books']?.get?.operationId).toBe('listBooks')
    expect(document.paths['/v1/orders']?.post?.operationId).toBe('createOrder')
    expect(document.paths['/v1/books']?.get?.security).toEqual([])
    expect(document.paths['/v1/me']?.patch?.security).toEqual([{ bearerAuth: [] }])
    expect(Object.keys(document.paths['/v1/me']!.patch!.responses)).toContain('403')
  })

  it('matches real responses: every documented operation, called for real, answers as documented', async () => {
    const document = await loadDocument()
    const book = await createBook()
    const token = await adminToken()
    let checked = 0
    for (const [pattern, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // Path ids: a real book for book routes, a well-formed unknown id elsewhere.
        const path = pattern.replace('{id}', pattern.startsWith('/v1/books') ? book.id : 'x_unknown')
        const body = operation.requestBody ? {} : undefined
        const response = await api(method.toUpperCase(), path, {
          token: operation.security?.length ? token : undefined,
          body,
        })
        await expectConforms(document, method, pattern, response)
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6)
  })

  it('matches real happy-path responses of the catalog', async () => {
    const document = await loadDocument()
    const token = await adminToken()
    const created = await api('POST', '/v1/books', { token, body: bookInput({ title: 'Conformance' }) })
    expect(created.status).toBe(201)
    await expectConforms(document, 'post', '/v1/books', created.clone())
    const { id } = await json(created)
    await expectConforms(document, 'get', '/v1/books', await api('GET', '/v1/books?limit=3'))
    await expectConforms(document, 'get', '/v1/books/{id}', await api('GET', `/v1/books/${id}`))
    await expectConforms(document, 'get', '/v1/books', await api('GET', '/v1/books?limit=0'))
    const patched = await api('PATCH', `/v1/books/${id}`, { token, body: { stock: 3 } })
    expect(patched.status).toBe(200)
    await expectConforms(document, 'patch', '/v1/books/{id}', patched)
    const deleted = await api('DELETE', `/v1/books/${id}`, { token })
    expect(deleted.status).toBe(204)
    await expectConforms(document, 'delete', '/v1/books/{id}', deleted)
    await expectConforms(document, 'get', '/health', await api('GET', '/health'))
  })
})

describe('GET /docs', () => {
  it('serves the interactive API reference pointing at the document', async () => {
    const response = await api('GET', '/docs')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('text/html')
    expect(await response.text()).toContain('/openapi.json')
  })
})
