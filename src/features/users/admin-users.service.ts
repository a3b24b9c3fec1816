import { and, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../../db/client'
import { securityEvents, users } from '../../db/schema'
import { type Keyset, keysetPage } from '../../http/pagination'
import { randomId } from '../../lib/ids'
import { toUser } from '../auth'
import { channelName, closeUserSockets } from '../live'
import { deleteAccount, demoteUnlessLastAdmin } from './account-deletion'
import { getUser } from './me.service'

const byCreatedAt: Keyset<{ c: number; i: string }, { createdAt: Date; id: string }> = {
  schema: z.object({ c: z.number().int(), i: z.string() }),
  keyOf: (row) => ({ c: row.createdAt.getTime(), i: row.id }),
}

/** Newest first, keyset-paginated on (created_at, id) — users_created_at_idx. */
export async function listUsers(
  db: Db,
  query: { q?: string; role?: 'customer' | 'admin'; limit: number; cursor?: string },
) {
  const pattern = query.q ? `%${query.q.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%` : undefined
  const conditions: (SQL | undefined)[] = [
    pattern
      ? or(
          sql`${users.email} LIKE ${pattern} ESCAPE '\\'`,
          sql`lower(${users.name}) LIKE ${pattern} ESCAPE '\\'`,
        )
      : undefined,
    query.role ? eq(users.role, query.role) : undefined,
  ]
  const { rows, nextCursor } = await keysetPage(byCreatedAt, query, (after, take) =>
    db
      .select()
      .from(users)
      .where(
        and(
          ...conditions,
          after &&
            or(
              lt(users.createdAt, new Date(after.c)),
              and(eq(users.createdAt, new Date(after.c)), lt(users.id, after.i)),
            ),
        ),
      )
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(take),
  )
  return { data: rows.map(toUser), nextCursor }
}

/** Changes a role; demoting the last admin (yourself included) is refused with 409. */
export async function setRole(db: Db, actorId: string, userId: string, role: 'customer' | 'admin') {
  const user = await getUser(db, userId)
  if (user.role === role) return user
  if (role === 'customer') {
    await demoteUnlessLastAdmin(db, userId)
    // A demoted admin's back-office sockets close at once (4001), as their admin routes refuse at once.
    await closeUserSockets(db, userId, [channelName.admin()])
  } else await db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId))
  await db
    .insert(securityEvents)
    .values({ id: randomId('sev'), userId, type: 'role_changed', createdAt: new Date() })
  console.info(JSON.stringify({ level: 'info', msg: 'role changed', actorId, userId, role }))
  return getUser(db, userId)
}

export async function deleteUser(db: Db, actorId: string, userId: string) {
  const user = await getUser(db, userId)
  await demoteUnlessLastAdmin(db, userId)
  await deleteAccount(db, user)
  console.info(JSON.stringify({ level: 'info', msg: 'user deleted by admin', actorId, userId }))
}
