import { type Column, getTableColumns, is, SQL, sql } from 'drizzle-orm'
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
 * `INSERT INTO table SELECT … WHERE condition`: a row that exists only if `condition` holds when the statement
 * runs. In a batch, after a compare-and-swap, it makes a dependent write apply only when the swap won. Values go
 * through each column's own encoding (dates, JSON) as bound parameters; an `SQL` value is inlined; a column not
 * given takes its declared default, else NULL. (Built as an insert, not raw `db.run`: drizzle's D1 batch cannot
 * bind a raw statement's parameters, drizzle #2277.)
 */
export function insertWhen<T extends SQLiteTable>(
  db: Db,
  table: T,
  values: { [K in keyof T['$inferInsert']]?: T['$inferInsert'][K] | SQL },
  condition: SQL,
  options: { onConflictDoNothing?: boolean } = {},
) {
  const given = values as Record<string, unknown>
  const columns = Object.entries(getTableColumns(table) as Record<string, Column>)
  const selected = sql.join(
    columns.map(([key, column]) => {
      const value = key in given ? given[key] : column.hasDefault ? column.default : null
      if (is(value, SQL)) return value
      if (value === null || value === undefined) return sql`null`
      return sql`${sql.param(value, column)}`
    }),
    sql`, `,
  )
  const insert = db.insert(table).select(sql`select ${selected} where ${condition}`)
  return options.onConflictDoNothing ? insert.onConflictDoNothing() : insert
}
