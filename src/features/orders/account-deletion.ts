import { and, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { addresses, auditLog, cartItems, idempotencyKeys, orders, refunds } from '../../db/schema'

/** Keys of order audit entries (before/after) that hold a person's address; `country` stays, as on the order. */
const PERSONAL_AUDIT_KEYS = [
  'name',
  'line1',
  'line2',
  'city',
  'region',
  'postalCode',
  'phone',
  'email',
  'shipName',
  'shipLine1',
  'shipLine2',
  'shipCity',
  'shipRegion',
  'shipPostalCode',
  'shipPhone',
]
export const ERASED = '[erased]'

/** `json_replace(column, '$.city', '[erased]', …)`: replaces only keys present; NULL stays NULL. */
function erasePersonalKeys(column: typeof auditLog.before | typeof auditLog.after): SQL {
  const pairs = PERSONAL_AUDIT_KEYS.map((key) => sql`${`$.${key}`}, ${ERASED}`)
  return sql`json_replace(${column}, ${sql.join(pairs, sql`, `)})`
}

/**
 * Commerce's part of deleting an account, as statements for the caller's batch: the cart, saved addresses and
 * idempotency records go; orders stay for accounting (totals, lines, payments) but lose the link to the person
 * and the delivery address except its country, kept for tax (GDPR Art. 17 erasure, with the Art. 17(3)(b) retention of accounting records).
 * Audit entries about the orders lose their address fields, and refunds their creator when it is this account.
 */
export function commerceAccountDeletion(db: Db, userId: string): Statement[] {
  const ownOrders = db.select({ id: orders.id }).from(orders).where(eq(orders.userId, userId))
  return [
    // Before the orders lose their owner: audit entries about them keep what happened, not where they went.
    db
      .update(auditLog)
      .set({ before: erasePersonalKeys(auditLog.before), after: erasePersonalKeys(auditLog.after) })
      .where(and(eq(auditLog.targetType, 'order'), inArray(auditLog.targetId, ownOrders))),
    // A refund's creator (the customer cancelling, or an admin being deleted) would link the order back.
    db.update(refunds).set({ createdBy: null }).where(eq(refunds.createdBy, userId)),
    db.delete(cartItems).where(eq(cartItems.userId, userId)),
    db.delete(addresses).where(eq(addresses.userId, userId)),
    db.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId)),
    db
      .update(orders)
      .set({
        userId: null,
        checkoutKey: null,
        shipName: null,
        shipLine1: null,
        shipLine2: null,
        shipCity: null,
        shipRegion: null,
        shipPostalCode: null,
        shipPhone: null,
        updatedAt: new Date(),
      })
      .where(eq(orders.userId, userId)),
  ]
}
