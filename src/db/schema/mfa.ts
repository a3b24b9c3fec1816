import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './users'

/**
 * A TOTP factor (RFC 6238). Unconfirmed until the user proves their authenticator works. `lastUsedStep` is the
 * last accepted time step: a code at or before it is refused, so each code works once (RFC 6238 §5.2).
 */
export const totpFactors = sqliteTable('totp_factors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The base32 seed, sealed with AES-GCM (src/lib/secret-box.ts): a database leak alone reveals no seeds. */
  secret: text('secret').notNull(),
  confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
  lastUsedStep: integer('last_used_step'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

/** Single-use recovery codes, stored as SHA-256 hashes only (they carry 50 random bits each). */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('recovery_codes_user_idx').on(table.userId)],
)

export type TotpFactorRow = typeof totpFactors.$inferSelect
