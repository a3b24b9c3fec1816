// The local D1 database that `wrangler dev` uses (.wrangler/state), opened from Node through wrangler's
// platform proxy, wrapped in the app's own Drizzle type.
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { drizzle } from 'drizzle-orm/d1'
import { getPlatformProxy, unstable_readConfig } from 'wrangler'
import type { Db } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema/index.ts'

type D1Binding = { binding: string; database_name?: string; database_id?: string }

/**
 * A config holding only wrangler.toml's D1 bindings: the platform proxy runs no Worker, so the full config's
 * Durable Object bindings (Folio Live) would only print "internal Durable Objects … will not work" warnings.
 * Same database ids, so the same local files.
 */
function d1OnlyConfig(): string {
  const config = unstable_readConfig({ config: 'wrangler.toml' })
  const path = resolve('.wrangler/local-d1.json')
  mkdirSync(resolve('.wrangler'), { recursive: true })
  writeFileSync(
    path,
    JSON.stringify({
      name: config.name,
      compatibility_date: config.compatibility_date,
      d1_databases: config.d1_databases.map(({ binding, database_name, database_id }: D1Binding) => ({
        binding,
        database_name,
        database_id,
      })),
    }),
  )
  return path
}

export async function openLocalD1(): Promise<{ db: Db; dispose: () => Promise<void> }> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: d1OnlyConfig(),
    persist: { path: resolve('.wrangler/state/v3') },
  })
  return { db: drizzle(proxy.env.DB, { schema }), dispose: proxy.dispose }
}
