import { eq } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { addresses, cartItems, idempotencyKeys, orders } from '../../db/schema'

/**
 * Commerce's part of deleting an account, as statements for the caller's batch: the cart, saved addresses and
 * idempotency records go; orders stay for accounting (totals, lines, payments) but lose the link to the person
 * and the delivery address except its country, kept for tax (GDPR Art. 17 erasure, with the Art. 17(3)(b) retention of accounting records).
 */
export function commerceAccountDeletion(db: Db, userId: string): Statement[] {
  return [
    db.delete(cartItems).where(eq(cartItems.userId, userId)),
    db.delete(addresses).where(eq(addresses.userId, userId)),
    db.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId)),
    db
      .update(orders)
      .set({
        userId: null,
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
