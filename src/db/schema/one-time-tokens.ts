import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './users'

export const ONE_TIME_TOKEN_PURPOSES = ['verify_email', 'password_reset', 'mfa_challenge'] as const
export type OneTimeTokenPurpose = (typeof ONE_TIME_TOKEN_PURPOSES)[number]

/**
 * Emailed single-use tokens (email verification, password reset), stored as SHA-256 hashes only
 * (OWASP Forgot Password Cheat Sheet: treat reset tokens like passwords at rest). `mfa_challenge` rows record a
 * spent MFA challenge (the hash of its `jti`), inserted already used, so one challenge completes one sign-in.
 */
export const oneTimeTokens = sqliteTable(
  'one_time_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ONE_TIME_TOKEN_PURPOSES }).notNull(),
    /** For verification: the address being verified (it must still be the account's email when used). */
    email: text('email').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('one_time_tokens_user_idx').on(table.userId, table.purpose, table.createdAt)],
)
