import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { sessions, users } from '../src/db/schema'
import { bookInput, createBook, uniqueIsbn, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken, createUser, customerToken } from './helpers/tokens'

describe('POST /v1/books (admin)', () => {
  it('creates a book, normalising ISBN-10, currency and language, and answers 201 with Location', async () => {
    const isbn13 = uniqueIsbn()
    const response = await api('POST', '/v1/books', {
      token: await adminToken(),
      body: bookInput({ isbn: isbn13, language: 'en-gb', price: { amount: 1599, currency: 'gbp' } }),
    })
    expect(response.status).toBe(201)
    const book = await json(response)
    expect(book.id).toMatch(/^bk_[0-9a-z]{26}$/)
    expect(response.headers.get('Location')).toBe(`/v1/books/${book.id}`)
    expect(book).toMatchObject({
      isbn: isbn13,
      language: 'en-GB',
      price: { amount: 1599, currency: 'GBP' },
      stock: 5,
      inStock: true,
    })
    const fetched = await api('GET', `/v1/books/${book.id}`)
    expect(await json(fetched)).toEqual(book)
  })

  it('converts an ISBN-10 to its ISBN-13', async () => {
    const book = await api('POST', '/v1/books', {
      token: await adminToken(),
      body: bookInput({ isbn: '0-19-852663-6' }),
    })
    expect(book.status).toBe(201)
    expect((await json(book)).isbn).toBe('9780198526636')
  })

  it('answers 409 for a duplicate ISBN, however it is written', async () => {
    const first = await createBook()
    const hyphenated = `${first.isbn.slice(0, 3)}-${first.isbn.slice(3)}`
    const response = await api('POST', '/v1/books', {
      token: await adminToken(),
      body: bookInput({ isbn: hyphenated }),
    })
    expect(response.status).toBe(409)
    expect(response.headers.get('Content-Type')).toBe('application/problem+json')
    expect(await json(response)).toMatchObject({ status: 409, title: 'Duplicate ISBN' })
  })

  it.each([
    ['invalid ISBN', { isbn: '9780141439519' }, '/body/isbn'],
    ['negative price', { price: { amount: -1, currency: 'EUR' } }, '/body/price/amount'],
    ['fractional price', { price: { amount: 12.5, currency: 'EUR' } }, '/body/price/amount'],
    ['unknown currency', { price: { amount: 100, currency: 'XYZ' } }, '/body/price/currency'],
    ['negative stock', { stock: -1 }, '/body/stock'],
    ['empty authors', { authors: [] }, '/body/authors'],
    ['bad language tag', { language: 'english!' }, '/body/language'],
    ['wrong type', { title: 42 }, '/body/title'],
    ['extra field', { role: 'admin' }, '/body/role'],
  ])('rejects %s with 422 and a pointer to the field', async (_name, override, pointer) => {
    const response = await api('POST', '/v1/books', { token: await adminToken(), body: bookInput(override) })
    expect(response.status).toBe(422)
    const problem = await json(response)
    expect(problem).toMatchObject({ type: '/problems/validation-error', status: 422, instance: '/v1/books' })
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer)
  })

  it('rejects malformed JSON with 400 and a non-JSON body with 415', async () => {
    const token = await adminToken()
    const malformed = await api('POST', '/v1/books', { token, body: '{"title": ' })
    expect(malformed.status).toBe(400)
    expect((await json(malformed)).title).toBe('Malformed JSON')
    const form = await api('POST', '/v1/books', {
      token,
      body: 'title=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(415)
  })

  it('rejects a body over the documented 64 KiB limit with 413', async () => {
    const response = await api('POST', '/v1/books', {
      token: await adminToken(),
      body: bookInput({ description: 'x'.repeat(70 * 1024) }),
    })
    expect(response.status).toBe(413)
    expect(response.headers.get('Content-Type')).toBe('application/problem+json')
  })

  it('is admin only: no token 401 with WWW-Authenticate, a customer 403', async () => {
    const anonymous = await api('POST', '/v1/books', { body: bookInput() })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
    const customer = await api('POST', '/v1/books', { token: await customerToken(), body: bookInput() })
    expect(customer.status).toBe(403)
  })
})

describe('catalog writes follow the account, not just the token', () => {
  it('a demoted admin gets 403 and a revoked session 401 at once, though their tokens have not expired', async () => {
    const demoted = await createUser('admin')
    expect((await api('POST', '/v1/books', { token: demoted.token, body: bookInput() })).status).toBe(201)
    await harness.db().update(users).set({ role: 'customer' }).where(eq(users.id, demoted.id))
    expect((await api('POST', '/v1/books', { token: demoted.token, body: bookInput() })).status).toBe(403)

    const revoked = await createUser('admin')
    await harness.db().update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.userId, revoked.id))
    const response = await api('POST', '/v1/books', { token: revoked.token, body: bookInput() })
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toContain('invalid_token')
  })
})

describe('GET /v1/books/{id}', () => {
  it('sends an ETag and Cache-Control, and answers 304 to If-None-Match', async () => {
    const book = await createBook()
    const first = await api('GET', `/v1/books/${book.id}`)
    const etag = first.headers.get('ETag')
    expect(etag).toBeTruthy()
    expect(first.headers.get('Cache-Control')).toContain('public')
    const second = await api('GET', `/v1/books/${book.id}`, {
      headers: { 'If-None-Match': etag!, 'X-Request-Id': 'conditional-read-1' },
    })
    expect(second.status).toBe(304)
    // A 304 is built afresh by the ETag middleware: it still carries the request id every answer has.
    expect(second.headers.get('X-Request-Id')).toBe('conditional-read-1')
    expect(second.headers.get('ETag')).toBe(etag)
  })

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await api('GET', '/v1/books/bk_00000000000000000000000000')).status).toBe(404)
    const malformed = await api('GET', "/v1/books/1' OR '1'='1")
    expect(malformed.status).toBe(400)
    expect((await json(malformed)).errors[0].pointer).toBe('/path/id')
  })
})

describe('PATCH and DELETE /v1/books/{id} (admin)', () => {
  it('changes only the sent fields and bumps updatedAt', async () => {
    const book = await createBook({ title: 'Old title' })
    const response = await api('PATCH', `/v1/books/${book.id}`, {
      token: await adminToken(),
      body: { title: 'New title', price: { amount: 999, currency: 'EUR' } },
    })
    expect(response.status).toBe(200)
    const updated = await json(response)
    expect(updated).toMatchObject({
      title: 'New title',
      price: { amount: 999, currency: 'EUR' },
      isbn: book.isbn,
    })
    expect(updated.updatedAt >= book.updatedAt).toBe(true)
  })

  it('applies relative stock adjustments and refuses to go below zero', async () => {
    const book = await createBook({ stock: 3 })
    const token = await adminToken()
    const up = await api('PATCH', `/v1/books/${book.id}`, { token, body: { stockAdjustment: 4 } })
    expect((await json(up)).stock).toBe(7)
    const tooFar = await api('PATCH', `/v1/books/${book.id}`, { token, body: { stockAdjustment: -8 } })
    expect(tooFar.status).toBe(409)
    const both = await api('PATCH', `/v1/books/${book.id}`, { token, body: { stock: 1, stockAdjustment: 1 } })
    expect(both.status).toBe(422)
    const empty = await api('PATCH', `/v1/books/${book.id}`, { token, body: {} })
    expect(empty.status).toBe(422)
  })

  it('answers each of concurrent writes with the book as that write left it', async () => {
    const book = await createBook({ stock: 3 })
    const token = await adminToken()
    const stocks = Array.from({ length: 10 }, (_, i) => 101 + i)
    const answers = await Promise.all(
      stocks.map((stock) => api('PATCH', `/v1/books/${book.id}`, { token, body: { stock } })),
    )
    const bodies = await Promise.all(answers.map((answer) => json(answer)))
    expect(answers.map((answer) => answer.status)).toEqual(stocks.map(() => 200))
    expect(bodies.map((body) => body.stock)).toEqual(stocks)
  })

  it('deletes with 204, then the book is gone', async () => {
    const book = await createBook()
    const token = await adminToken()
    expect((await api('DELETE', `/v1/books/${book.id}`, { token })).status).toBe(204)
    expect((await api('GET', `/v1/books/${book.id}`)).status).toBe(404)
    expect((await api('DELETE', `/v1/books/${book.id}`, { token })).status).toBe(404)
    expect((await api('DELETE', `/v1/books/${book.id}`, { token: await customerToken() })).status).toBe(403)
  })

  it('keeps the search index in sync with updates and deletes', async () => {
    const word = uniqueWord()
    const book = await createBook({ title: `Before ${word}` })
    const token = await adminToken()
    await api('PATCH', `/v1/books/${book.id}`, { token, body: { title: 'After the change' } })
    expect((await json(await api('GET', `/v1/books?q=${word}`))).data).toHaveLength(0)
    const renamed = uniqueWord()
    await api('PATCH', `/v1/books/${book.id}`, { token, body: { title: `Renamed ${renamed}` } })
    expect((await json(await api('GET', `/v1/books?q=${renamed}`))).data).toHaveLength(1)
    await api('DELETE', `/v1/books/${book.id}`, { token })
    expect((await json(await api('GET', `/v1/books?q=${renamed}`))).data).toHaveLength(0)
  })
})
