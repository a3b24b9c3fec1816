import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** Append-only log of admin actions: who, what, on which resource, when, and the state before and after. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    before: text('before', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    after: text('after', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    index('audit_log_target_idx').on(table.targetType, table.targetId, table.seq),
    index('audit_log_actor_idx').on(table.actorId, table.seq),
  ],
)

export type AuditLogRow = typeof auditLog.$inferSelect
