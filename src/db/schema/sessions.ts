import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './users'

/**
 * A signed-in device: one refresh token family (RFC 9700 §4.14.2). Access tokens carry its id as `sid`;
 * /v1/me* and /v1/admin/* check it is still active, so revoking it ends access at once there.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** A short label such as "Firefox on macOS", derived from the user agent. */
    device: text('device').notNull(),
    userAgent: text('user_agent').notNull().default(''),
    ip: text('ip').notNull().default(''),
    country: text('country'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }).notNull(),
    /** Absolute end of the session: refresh stops working then, whatever the activity. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    revokedReason: text('revoked_reason'),
  },
  (table) => [index('sessions_user_idx').on(table.userId, table.createdAt)],
)

/**
 * Every refresh token ever issued for a session, stored only as its SHA-256 hash (RFC 9700 §4.14: a database
 * leak yields no usable token). `usedAt` set means rotated: presenting it again is reuse and revokes the session.
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    /** The hash of the token that replaced this one: lets one batch insert the successor only if its CAS won. */
    replacedBy: text('replaced_by'),
  },
  (table) => [
    index('refresh_tokens_session_idx').on(table.sessionId),
    index('refresh_tokens_active_idx').on(table.sessionId).where(sql`used_at IS NULL`),
  ],
)

export type SessionRow = typeof sessions.$inferSelect
