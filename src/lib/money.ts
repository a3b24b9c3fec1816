/** Money on the wire: integer minor units and an ISO 4217 code, never floats. */
export type Money = { amount: number; currency: string }

export const money = (amount: number, currency: string): Money => ({ amount, currency })

/** Shown for an empty cart, which has no line to take a currency from. */
export const DEFAULT_CURRENCY = 'EUR'

/**
 * Shipping policy: a flat fee per order, free from a subtotal threshold. Both are minor units of the order's
 * currency (the catalog is priced in one currency; see README "Commerce").
 */
export const SHIPPING_FLAT_FEE = 499
export const FREE_SHIPPING_THRESHOLD = 5000

export function shippingFor(subtotal: number): number {
  return subtotal >= FREE_SHIPPING_THRESHOLD ? 0 : SHIPPING_FLAT_FEE
}
