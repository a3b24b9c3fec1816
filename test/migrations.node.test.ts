import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { describe, expect, it } from 'vitest'
import { expectEveryOldRowSurvived, oldShapeInserts, survivingRows } from './helpers/migration-fixture'

/**
 * The libSQL side of test/migrations.workerd.test.ts: drizzle's migrator on a copy of drizzle/ cut after 0008,
 * the old rows, then the migrator on the real folder (it applies only what the database has not seen).
 */
type Journal = { entries: { idx: number; tag: string }[] }

function folderUpTo0008(): string {
  const folder = join(tmpdir(), 'folio-tests', `migrations-${crypto.randomUUID()}`)
  mkdirSync(join(folder, 'meta'), { recursive: true })
  const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as Journal
  const kept = journal.entries.filter((entry) => entry.idx <= 8)
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }))
  for (const entry of kept)
    copyFileSync(join('drizzle', `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`))
  return folder
}

describe('migrations on libSQL keep every existing book and order', () => {
  it('applies 0009 and later over a catalogue and orders of the 0008 shape', async () => {
    const client = createClient({ url: `file:${join(tmpdir(), 'folio-tests', `${crypto.randomUUID()}.db`)}` })
    const old = folderUpTo0008()
    expect(readdirSync(old).filter((name) => name.endsWith('.sql'))).toHaveLength(9)
    await migrate(drizzle(client), { migrationsFolder: old })
    const columns = await client.execute("SELECT name FROM pragma_table_info('books')")
    expect(columns.rows.map((row) => row.name)).not.toContain('work_id')
    await client.batch(
      oldShapeInserts().map(([sql, args]) => ({ sql, args: args as never })),
      'write',
    )

    await migrate(drizzle(client), { migrationsFolder: './drizzle' })
    const after = await survivingRows(
      async (sql, args = []) =>
        (await client.execute({ sql, args: args as never })).rows.map((row) => ({ ...row })) as Record<
          string,
          unknown
        >[],
    )
    expectEveryOldRowSurvived(after)
    expect((await client.execute('PRAGMA foreign_key_check')).rows).toEqual([])
    client.close()
  })
})
