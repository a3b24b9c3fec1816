import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from './client'

export type Statement = BatchItem<'sqlite'>

/** `db.batch` for a statement list built at run time (drizzle wants a non-empty tuple type). */
export async function runBatch(db: Db, statements: Statement[]): Promise<unknown[]> {
  const [first, ...rest] = statements
  if (!first) return []
  return (await db.batch([first, ...rest])) as unknown[]
}
