import { withCheckDigit } from '../../src/lib/isbn'
import { api, json } from './http'
import { adminToken } from './tokens'

/** A valid, unique ISBN-13 (979 prefix, random body, correct check digit). */
export function uniqueIsbn(): string {
  const body = Array.from(crypto.getRandomValues(new Uint8Array(9)), (byte) => byte % 10).join('')
  return withCheckDigit(`979${body}`)
}

/** A random word, to tag a test's books so its queries only see its own rows. */
export function uniqueWord(prefix = 'zq'): string {
  return `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}`
}

export function bookInput(overrides: Record<string, unknown> = {}) {
  return {
    isbn: uniqueIsbn(),
    title: 'A Test Book',
    authors: ['Test Author'],
    description: 'A book made by a test.',
    language: 'en',
    publishedYear: 2020,
    price: { amount: 1299, currency: 'EUR' },
    stock: 5,
    ...overrides,
  }
}

export async function createBook(overrides: Record<string, unknown> = {}) {
  const response = await api('POST', '/v1/books', { token: await adminToken(), body: bookInput(overrides) })
  if (response.status !== 201)
    throw new Error(`createBook failed: ${response.status} ${await response.text()}`)
  return json(response)
}
