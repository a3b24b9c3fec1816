// The bench's admin account (the fan-out class writes as an admin): created, or reset to the bench password and
// the admin role, in the bench's local D1 state before the runtime serves it.
import { and, desc, eq, gt, inArray, lt } from 'drizzle-orm'
import type { Db } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema/index.ts'
import { randomId } from '../../src/lib/ids.ts'
import { hashPassword } from '../../src/lib/password.ts'
import { BENCH_PASSWORD, loginInit, type Send } from './bench-flows.ts'
import { expectStatus } from './bench-load.ts'

export const BENCH_ADMIN_EMAIL = 'bench-live-admin@example.com'

export async function ensureBenchAdmin(db: Db, pepper: string): Promise<void> {
  const now = new Date()
  const passwordHash = await hashPassword(BENCH_PASSWORD, pepper)
  const [existing] = await db.select().from(schema.users).where(eq(schema.users.email, BENCH_ADMIN_EMAIL))
  if (existing) {
    await db
      .update(schema.users)
      .set({ role: 'admin', passwordHash, updatedAt: now })
      .where(eq(schema.users.id, existing.id))
    return
  }
  await db.insert(schema.users).values({
    id: randomId('usr'),
    email: BENCH_ADMIN_EMAIL,
    name: 'Bench Admin',
    passwordHash,
    role: 'admin',
    emailVerifiedAt: now,
    createdAt: now,
    updatedAt: now,
  })
}

/** Signs the bench admin in; returns the access token. */
export async function benchAdminToken(send: Send): Promise<string> {
  const login = await expectStatus(send('/v1/auth/login', loginInit(BENCH_ADMIN_EMAIL)), 200)
  return ((await login.json()) as { accessToken: string }).accessToken
}

/** What the checkout class may buy: `purchasableBooks` (bench-flows.ts) takes the 100 dearest books in stock. */
const CHECKOUT_BOOKS = 200
const CHECKOUT_STOCK = 1_000_000

/**
 * Restocks the dearest books in stock before a run, in the bench's own state: the checkout class buys them, and
 * the state persists across runs, so without this a few runs sell them out and the flow meets 409s. Only stock
 * counts change (these books are in stock already), so no filter of the other classes answers differently.
 */
export async function restockCheckoutBooks(db: Db): Promise<void> {
  const dearest = db
    .select({ id: schema.books.id })
    .from(schema.books)
    .where(gt(schema.books.stock, 0))
    .orderBy(desc(schema.books.priceAmount))
    .limit(CHECKOUT_BOOKS)
  await db
    .update(schema.books)
    .set({ stock: CHECKOUT_STOCK })
    .where(and(inArray(schema.books.id, dearest), lt(schema.books.stock, CHECKOUT_STOCK)))
}
