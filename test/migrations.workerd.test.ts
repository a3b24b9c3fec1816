import { applyD1Migrations, type D1Migration, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { expectEveryOldRowSurvived, oldShapeInserts, survivingRows } from './helpers/migration-fixture'

/**
 * D1 ignores `PRAGMA foreign_keys=OFF` (drizzle #4938): a migration that rebuilt `books` or `orders` would
 * cascade-delete their children here. So the real migrations run on D1 step by step: up to 0008, the old rows
 * go in, then every later migration, exactly as `wrangler d1 migrations apply` would run them on production.
 */
const { MIGRATIONS_DB: db, TEST_MIGRATIONS: migrations } = env as unknown as {
  MIGRATIONS_DB: D1Database
  TEST_MIGRATIONS: D1Migration[]
}

const isOld = (migration: D1Migration) => Number(migration.name.slice(0, 4)) <= 8

describe('migrations on D1 keep every existing book and order', () => {
  it('applies 0009 and later over a catalogue and orders of the 0008 shape', async () => {
    await applyD1Migrations(db, migrations.filter(isOld))
    const columns = await db.prepare("SELECT name FROM pragma_table_info('books')").all<{ name: string }>()
    expect(columns.results.map((column) => column.name)).not.toContain('work_id')
    await db.batch(oldShapeInserts().map(([sql, params]) => db.prepare(sql).bind(...params)))

    await applyD1Migrations(db, migrations)
    expect(migrations.filter((migration) => !isOld(migration)).length).toBeGreaterThan(0)
    const after = await survivingRows(
      async (sql, params = []) =>
        (
          await db
            .prepare(sql)
            .bind(...params)
            .all()
        ).results,
    )
    expectEveryOldRowSurvived(after)
    const violations = await db.prepare('PRAGMA foreign_key_check').all()
    expect(violations.results).toEqual([])
  })
})
