import { type Column, getTableColumns, SQL, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'

export type Statement = BatchItem<'sqlite'>

/** `db.batch` for a statement list built at run time (drizzle wants a non-empty tuple type). */
export async function runBatch(db: Db, statements: Statement[]): Promise<unknown[]> {
  const [first, ...rest] = statements
  if (!first) return []
  return (await db.batch([first, ...rest])) as unknown[]
}

/**
 * `INSERT INTO table (…) SELECT … WHERE condition`: a row that exists only if `condition` holds when the
 * statement runs. In a batch, after a compare-and-swap, it makes a dependent write apply only when the swap won.
 * Values go through each column's own encoding (dates, JSON) as bound parameters; an `SQL` value is inlined.
 */
export function insertWhen<T extends SQLiteTable>(
  db: Db,
  table: T,
  values: { [K in keyof T['$inferInsert']]?: T['$inferInsert'][K] | SQL },
  condition: SQL,
  options: { onConflictDoNothing?: boolean } = {},
) {
  const columns = getTableColumns(table) as Record<string, Column>
  const entries = Object.entries(values).filter(([, value]) => value !== undefined)
  const names = sql.join(
    entries.map(([key]) => sql.identifier(columns[key]!.name)),
    sql`, `,
  )
  const selected = sql.join(
    entries.map(([key, value]) => {
      if (value instanceof SQL) return value
      if (value === null) return sql`null`
      return sql`${sql.param(value, columns[key]!)}`
    }),
    sql`, `,
  )
  // SQLite needs the WHERE before an upsert clause after INSERT … SELECT; it is always there.
  const conflict = options.onConflictDoNothing ? sql` on conflict do nothing` : sql``
  return db.run(sql`insert into ${table} (${names}) select ${selected} where ${condition}${conflict}`)
}
