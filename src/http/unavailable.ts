import type { ProblemInit } from './problem'

/** Seconds a client should wait after a database outage: locks clear in moments, D1 resets in seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5

/**
 * The answer while the database cannot serve (src/db/errors.ts `isDatabaseUnavailable`): 503 with Retry-After
 * (RFC 9110 §15.6.4, §10.2.3), on every route, saying nothing internal.
 */
export const databaseUnavailable: ProblemInit = {
  title: 'Service unavailable',
  detail: `The database is temporarily unavailable; retry after ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
  headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
}
