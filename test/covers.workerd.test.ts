import { env } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { auditLog, books } from '../src/db/schema'
import type { Bindings } from '../src/env'
import { sweepOrphanCovers } from '../src/features/covers'
import { createBook } from './helpers/commerce'
import { api, json } from './helpers/http'
import { jpeg, png, webp } from './helpers/images'
import { createUser } from './helpers/tokens'

const bindings = env as unknown as Bindings & { COVERS: R2Bucket }
const covers = bindings.COVERS

function putCover(
  token: string,
  bookId: string,
  body: BodyInit,
  type: string,
  headers: Record<string, string> = {},
) {
  return harness.request(`/v1/books/${bookId}/cover`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': type, ...headers },
    body,
  })
}

/** The path of a cover URL (the app answers it whatever the origin in PUBLIC_API_URL). */
const pathOf = (url: string) => new URL(url).pathname
const keyOf = (url: string) => pathOf(url).replace('/v1/covers/', '')

async function storedCover(bookId: string) {
  const [row] = await harness.db().select().from(books).where(eq(books.id, bookId))
  return (
    row && { key: row.coverKey, type: row.coverContentType, width: row.coverWidth, height: row.coverHeight }
  )
}

describe('book covers on R2', () => {
  it('stores an upload under its content hash and serves it immutable, with an ETag and nosniff', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const image = jpeg(600, 900)
    const response = await putCover(admin.token, bookId, image, 'image/jpeg')
    expect(response.status).toBe(200)
    const cover = await json(response)
    expect(cover).toEqual({
      url: expect.stringMatching(new RegExp(`/v1/covers/${bookId}/[0-9a-f]{16}\\.jpg$`)),
      contentType: 'image/jpeg',
      width: 600,
      height: 900,
    })
    expect(await storedCover(bookId)).toEqual({
      key: keyOf(cover.url),
      type: 'image/jpeg',
      width: 600,
      height: 900,
    })

    const served = await harness.request(pathOf(cover.url))
    expect(served.status).toBe(200)
    expect(served.headers.get('Content-Type')).toBe('image/jpeg')
    expect(served.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(served.headers.get('X-Content-Type-Options')).toBe('nosniff')
    const etag = served.headers.get('ETag')
    expect(etag).toMatch(/^"[0-9a-f]+"$/)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(image)

    const revalidated = await harness.request(pathOf(cover.url), { headers: { 'If-None-Match': etag! } })
    expect(revalidated.status).toBe(304)
    expect(revalidated.headers.get('ETag')).toBe(etag)
    expect(await revalidated.text()).toBe('')
  })

  it('replacing the cover changes its URL and deletes the old object; the same image again changes nothing', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const first = await json(await putCover(admin.token, bookId, png(400, 600), 'image/png'))
    const same = await json(await putCover(admin.token, bookId, png(400, 600), 'image/png'))
    expect(same.url).toBe(first.url)
    const second = await json(await putCover(admin.token, bookId, webp(320, 480), 'image/webp'))
    expect(second.url).not.toBe(first.url)
    expect(second.url).toMatch(/\.webp$/)
    expect((await harness.request(pathOf(first.url))).status).toBe(404)
    expect(await covers.head(keyOf(first.url))).toBeNull()
    expect((await harness.request(pathOf(second.url))).status).toBe(200)
    // Each change that happened is audited once (the repeated upload changed nothing, so it is not).
    const entries = await harness.db().select().from(auditLog).where(eq(auditLog.targetId, bookId))
    expect(entries.map((entry) => [entry.action, entry.actorId, entry.after])).toEqual([
      ['book.cover.set', admin.id, { coverKey: keyOf(first.url) }],
      ['book.cover.set', admin.id, { coverKey: keyOf(second.url) }],
    ])
  })

  it('DELETE removes the cover and its object; deleting the book deletes its cover too', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const cover = await json(await putCover(admin.token, bookId, jpeg(600, 900), 'image/jpeg'))
    expect((await api('DELETE', `/v1/books/${bookId}/cover`, { token: admin.token })).status).toBe(204)
    expect(await covers.head(keyOf(cover.url))).toBeNull()
    expect((await storedCover(bookId))?.key).toBeNull()
    expect((await api('DELETE', `/v1/books/${bookId}/cover`, { token: admin.token })).status).toBe(404)

    const otherId = await createBook()
    const kept = await json(await putCover(admin.token, otherId, png(400, 600), 'image/png'))
    expect(await covers.head(keyOf(kept.url))).not.toBeNull()
    expect((await api('DELETE', `/v1/books/${otherId}`, { token: admin.token })).status).toBe(204)
    expect(await covers.head(keyOf(kept.url))).toBeNull()
    expect((await harness.request(pathOf(kept.url))).status).toBe(404)
  })

  it('judges the file by its bytes: a PNG header on text, a truncated JPEG and a mislabelled type are 422', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const fakePng = new Uint8Array([
      ...png(400, 600).slice(0, 8),
      ...new TextEncoder().encode('just some text'),
    ])
    const cases: [Uint8Array<ArrayBuffer>, string, RegExp][] = [
      [fakePng, 'image/png', /Not a JPEG, PNG or WebP/],
      [jpeg(600, 900).slice(0, 24), 'image/jpeg', /truncated or malformed JPG/],
      [png(400, 600), 'image/jpeg', /Declared image\/jpeg, but the content is image\/png/],
      [png(20_000, 600), 'image/png', /at most 10000 px/],
    ]
    for (const [body, type, detail] of cases) {
      const response = await putCover(admin.token, bookId, body, type)
      expect(response.status, String(detail)).toBe(422)
      expect((await json(response)).detail).toMatch(detail)
    }
    const svg = await putCover(
      admin.token,
      bookId,
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'image/svg+xml',
    )
    expect(svg.status).toBe(415)
    expect(await storedCover(bookId)).toMatchObject({ key: null })
  })

  it('refuses a body over 5 MB with 413: from its Content-Length, and while streaming one without', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const big = new Uint8Array(6 * 1024 * 1024)
    big.set(png(400, 600))
    const declared = await putCover(admin.token, bookId, big, 'image/png')
    expect(declared.status).toBe(413)
    expect((await json(declared)).detail).toMatch(/5242880 bytes/)

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024))
        controller.close()
      },
    })
    const streamed = await putCover(admin.token, bookId, stream, 'image/png')
    expect(streamed.status).toBe(413)
    expect(await storedCover(bookId)).toMatchObject({ key: null })
  })

  it('an unknown book is 404 and stores nothing; a customer is 403', async () => {
    const admin = await createUser('admin')
    const customer = await createUser('customer')
    const missing = `bk_${'0'.repeat(26)}`
    expect((await putCover(admin.token, missing, jpeg(600, 900), 'image/jpeg')).status).toBe(404)
    expect((await covers.list({ prefix: `${missing}/` })).objects).toEqual([])
    const bookId = await createBook()
    expect((await putCover(customer.token, bookId, jpeg(600, 900), 'image/jpeg')).status).toBe(403)
    expect((await harness.request(`/v1/covers/${bookId}/0123456789abcdef.jpg`)).status).toBe(404)
    expect((await harness.request(`/v1/covers/${bookId}/../../imports/x.csv`)).status).toBe(404)
    expect((await harness.request(`/v1/covers/${bookId}/notahash.jpg`)).status).toBe(400)
  })

  it('the cron sweep deletes cover objects no book points at, once they are an hour old, and keeps the rest', async () => {
    const admin = await createUser('admin')
    const bookId = await createBook()
    const kept = await json(await putCover(admin.token, bookId, jpeg(600, 900), 'image/jpeg'))
    // A replaced cover whose after-commit delete failed, and one of a book that no longer exists.
    const orphans = [`${bookId}/00000000000000aa.png`, `bk_${'z'.repeat(26)}/00000000000000bb.jpg`]
    for (const key of orphans) await covers.put(key, png(400, 600))
    expect(await sweepOrphanCovers(bindings, new Date())).toBe(0)
    const later = new Date(Date.now() + 2 * 60 * 60 * 1000)
    expect(await sweepOrphanCovers(bindings, later)).toBeGreaterThanOrEqual(2)
    for (const key of orphans) expect(await covers.head(key), key).toBeNull()
    expect(await covers.head(keyOf(kept.url))).not.toBeNull()
    expect((await harness.request(pathOf(kept.url))).status).toBe(200)
  })
})
