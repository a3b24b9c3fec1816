import { getConfig } from '../../config'
import { createDb } from '../../db/client'
import type { Bindings } from '../../env'
import { pruneSearchMisses } from '../search'
import { recomputeBookRelations } from './related.service'

/**
 * The discovery cron job (wrangler.toml `triggers.crons`): recomputes "bought together" (at most hourly) and
 * prunes the search-miss counts back within their bounds. One call for the Worker's `scheduled` handler.
 */
export async function runDiscoveryCron(env: Bindings, now = new Date()) {
  const { db } = createDb(env)
  const relations = await recomputeBookRelations(db, {
    minBuyers: getConfig(env).RECOMMENDATION_MIN_BUYERS,
    now,
  })
  const prunedMisses = await pruneSearchMisses(db, { now })
  console.log(JSON.stringify({ level: 'info', msg: 'discovery cron', ...relations, prunedMisses }))
  return { ...relations, prunedMisses }
}
