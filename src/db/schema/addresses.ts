import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** A customer's saved delivery address. Orders copy it, so editing or deleting one never changes an order. */
export const addresses = sqliteTable(
  'addresses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    line1: text('line1').notNull(),
    line2: text('line2'),
    city: text('city').notNull(),
    region: text('region'),
    postalCode: text('postal_code').notNull(),
    /** ISO 3166-1 alpha-2, upper case. */
    country: text('country').notNull(),
    phone: text('phone'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('addresses_user_idx').on(table.userId, table.createdAt)],
)

export type AddressRow = typeof addresses.$inferSelect
