import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type AddressRow, addresses, users } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import type { Address, AddressInput, AddressUpdate, PostalAddress } from './addresses.schemas'

/** Most saved addresses per customer. */
export const MAX_ADDRESSES = 20

export function toPostalAddress(row: AddressRow): PostalAddress {
  return {
    name: row.name,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postalCode,
    country: row.country,
    phone: row.phone,
  }
}

function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    ...toPostalAddress(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** Another customer's address is "not found": ids must not be probeable (OWASP API1). */
const notFound = (id: string) =>
  new ApiError(404, { title: 'Address not found', detail: `You have no address with id ${id}` })

export function addressList(db: Db, userId: string) {
  return db
    .select()
    .from(addresses)
    .where(eq(addresses.userId, userId))
    .orderBy(asc(addresses.createdAt), asc(addresses.id))
}

export function toAddresses(rows: AddressRow[]): Address[] {
  return rows.map(toAddress)
}

/** The caller's own saved address, or null (someone else's is null too). */
export async function ownAddress(db: Db, userId: string, id: string): Promise<AddressRow | null> {
  const row = await db.query.addresses.findFirst({
    where: and(eq(addresses.id, id), eq(addresses.userId, userId)),
  })
  return row ?? null
}

/**
 * Saves an address. The cap is decided inside the insert itself (`INSERT … SELECT … WHERE count < cap`): SQLite
 * runs the statement under the database's write lock, so parallel requests cannot all pass a count made before
 * their inserts. No row inserted means the cap was reached.
 */
export async function createAddress(db: Db, userId: string, input: AddressInput): Promise<Address> {
  const now = new Date()
  const value = <T>(field: T, column: string) => sql<T>`${field}`.as(column)
  const [row] = await db
    .insert(addresses)
    .select(
      db
        .select({
          id: value(randomId('adr'), 'id'),
          userId: users.id,
          name: value(input.name, 'name'),
          line1: value(input.line1, 'line1'),
          line2: value(input.line2 ?? null, 'line2'),
          city: value(input.city, 'city'),
          region: value(input.region ?? null, 'region'),
          postalCode: value(input.postalCode, 'postal_code'),
          country: value(input.country, 'country'),
          phone: value(input.phone ?? null, 'phone'),
          createdAt: value(now.getTime(), 'created_at'),
          updatedAt: value(now.getTime(), 'updated_at'),
        })
        .from(users)
        .where(
          and(
            eq(users.id, userId),
            sql`(SELECT count(*) FROM ${addresses} WHERE ${addresses.userId} = ${userId}) < ${MAX_ADDRESSES}`,
          ),
        ),
    )
    .returning()
  if (!row) {
    throw new ApiError(409, { title: 'Too many addresses', detail: `At most ${MAX_ADDRESSES} addresses` })
  }
  return toAddress(row)
}

export async function updateAddress(
  db: Db,
  userId: string,
  id: string,
  input: AddressUpdate,
): Promise<Address> {
  const [row] = await db
    .update(addresses)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
    .returning()
  if (!row) throw notFound(id)
  return toAddress(row)
}

export async function deleteAddress(db: Db, userId: string, id: string): Promise<void> {
  const deleted = await db
    .delete(addresses)
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
    .returning({ id: addresses.id })
  if (deleted.length === 0) throw notFound(id)
}
