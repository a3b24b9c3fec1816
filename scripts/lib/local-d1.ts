// The local D1 database that `wrangler dev` uses (.wrangler/state), opened from Node through wrangler's
// platform proxy, wrapped in the app's own Drizzle type.
import { drizzle } from 'drizzle-orm/d1'
import { getPlatformProxy } from 'wrangler'
import type { Db } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema/index.ts'

export async function openLocalD1(): Promise<{ db: Db; dispose: () => Promise<void> }> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ persist: true })
  return { db: drizzle(proxy.env.DB, { schema }), dispose: proxy.dispose }
}
