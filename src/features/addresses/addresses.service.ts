import { and, asc, count, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type AddressRow, addresses } from '../../db/schema'
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

export async function listAddresses(db: Db, userId: string): Promise<Address[]> {
  const rows = await db
    .select()
    .from(addresses)
    .where(eq(addresses.userId, userId))
    .orderBy(asc(addresses.createdAt), asc(addresses.id))
  return rows.map(toAddress)
}

export async function findOwnAddress(db: Db, userId: string, id: string): Promise<AddressRow> {
  const row = await db.query.addresses.findFirst({
    where: and(eq(addresses.id, id), eq(addresses.userId, userId)),
  })
  if (!row) throw notFound(id)
  return row
}

export async function createAddress(db: Db, userId: string, input: AddressInput): Promise<Address> {
  const [existing] = await db.select({ value: count() }).from(addresses).where(eq(addresses.userId, userId))
  if ((existing?.value ?? 0) >= MAX_ADDRESSES) {
    throw new ApiError(409, { title: 'Too many addresses', detail: `At most ${MAX_ADDRESSES} addresses` })
  }
  const now = new Date()
  const [row] = await db
    .insert(addresses)
    .values({
      id: randomId('adr'),
      userId,
      ...input,
      line2: input.line2 ?? null,
      region: input.region ?? null,
      phone: input.phone ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  return toAddress(row!)
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
