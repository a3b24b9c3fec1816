// The bench's admin account (the fan-out class writes as an admin): created, or reset to the bench password and
// the admin role, in the bench's local D1 state before the runtime serves it.
import { eq } from 'drizzle-orm'
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
