import { eq } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { importJobs } from '../../db/schema'

/** Erasure (GDPR Art. 17): the jobs an admin started stay as catalogue history, without who started them. */
export function importsAccountDeletion(db: Db, userId: string): Statement[] {
  return [db.update(importJobs).set({ createdBy: null }).where(eq(importJobs.createdBy, userId))]
}
