// Runs in the node project only (vitest.config.ts): it locks and damages a libSQL file of its own, which the
// workerd project's D1 does not let a test do.
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import Database from 'libsql'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { getLibsqlClient } from '../src/db/client'
import { json } from './helpers/http'

/** A freshly migrated database file of this test's own. */
async function freshDatabase(): Promise<{ path: string; url: string }> {
  const path = join(tmpdir(), 'folio-tests', `outage-${randomUUID()}.db`)
  const url = `file:${path}`
  await migrate(drizzle(getLibsqlClient(url)), { migrationsFolder: './drizzle' })
  return { path, url }
}

const request = (url: string, path: string, init?: RequestInit) =>
  harness.requestWithEnv(path, init, { LIBSQL_URL: url })

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503)
  expect(response.headers.get('Content-Type')).toBe('application/problem+json')
  expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
  const body = await response.json()
  expect(body).toMatchObject({ status: 503, title: 'Service unavailable', type: '/problems/unavailable' })
  expect(JSON.stringify(body)).not.toMatch(/SQLITE|locked|books_fts|select/i)
}

describe('database outage (issue 9 item 10)', () => {
  it('a locked database answers 503 + Retry-After on /health and every route, then recovers', async () => {
    const { path, url } = await freshDatabase()
    expect((await request(url, '/health')).status).toBe(200)
    const other = new Database(path)
    other.exec('BEGIN EXCLUSIVE')
    try {
      await expectUnavailable(await request(url, '/health'))
      await expectUnavailable(await request(url, '/v1/books?limit=2'))
      await expectUnavailable(await request(url, `/v1/books/bk_${'0'.repeat(26)}`))
      await expectUnavailable(
        await request(url, '/v1/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: 'someone@example.test', password: 'correct horse battery' }),
        }),
      )
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect((await request(url, '/health')).status).toBe(200)
  })

  it('a damaged catalog (the search index dropped) fails /health and answers 503 on search, not 500', async () => {
    const { path, url } = await freshDatabase()
    expect((await request(url, '/health')).status).toBe(200)
    expect((await request(url, '/v1/books?q=austen')).status).toBe(200)
    const other = new Database(path)
    other.exec('DROP TABLE books_fts')
    other.close()
    await expectUnavailable(await request(url, '/health'))
    await expectUnavailable(await request(url, '/v1/books?q=austen'))
  })

  it('keeps other failures a 500 that names only the request id', async () => {
    const { path, url } = await freshDatabase()
    const other = new Database(path)
    // A column the code expects, gone: a bug in schema or code, not an outage.
    const triggers = other.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'books'",
    )
    for (const { name } of triggers.all() as { name: string }[]) other.exec(`DROP TRIGGER "${name}"`)
    other.exec('ALTER TABLE books DROP COLUMN description')
    other.close()
    const response = await request(url, '/v1/books?limit=2')
    expect(response.status).toBe(500)
    const body = await json(response)
    expect(body.detail).toContain(body.requestId)
    expect(response.headers.get('Retry-After')).toBeNull()
  })
})
