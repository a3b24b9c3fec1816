import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './users'

export const LOGIN_OUTCOMES = [
  'success',
  'mfa_required',
  'bad_credentials',
  'mfa_failed',
  'locked',
  /** A wrong password or code when re-authenticating for a sensitive change (counted with login failures). */
  'reauth_failed',
] as const
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number]

/**
 * Every login attempt (OWASP ASVS 7.2: log authentication decisions). Failures are counted per email and per IP
 * over a window to throttle guessing. `userId` is null when the email matches no account.
 */
export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    outcome: text('outcome', { enum: LOGIN_OUTCOMES }).notNull(),
    ip: text('ip').notNull(),
    userAgent: text('user_agent').notNull().default(''),
    device: text('device').notNull().default(''),
    country: text('country'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    index('login_attempts_email_idx').on(table.email, table.createdAt),
    index('login_attempts_ip_idx').on(table.ip, table.createdAt),
    index('login_attempts_user_idx').on(table.userId, table.outcome),
  ],
)

export const SECURITY_EVENT_TYPES = [
  'new_device_login',
  'password_changed',
  'password_reset',
  'email_changed',
  'mfa_enabled',
  'mfa_disabled',
  'recovery_code_used',
  'refresh_token_reuse',
  'role_changed',
  'reauthentication_failed',
] as const
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number]

/** Things a user should know happened to their account; listed at GET /v1/me/security-events. */
export const securityEvents = sqliteTable(
  'security_events',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type', { enum: SECURITY_EVENT_TYPES }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    device: text('device'),
    country: text('country'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('security_events_user_idx').on(table.userId, table.createdAt)],
)

export type SecurityEventRow = typeof securityEvents.$inferSelect
