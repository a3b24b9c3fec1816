import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { client, login, mailTo, PASSWORD, register, uniqueEmail, uniqueIp } from './helpers/accounts'
import { checkoutRequest, createBook, payOrder, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'
import { createUser } from './helpers/tokens'

type Row = Record<string, unknown>

/** A cell as text: strings as they are, blobs byte for byte (FTS shadow tables), anything else as JSON. */
function cellText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer)
    return Array.from(bytes, (byte) => String.fromCharCode(byte)).join('')
  }
  return JSON.stringify(value) ?? ''
}

/**
 * Every table of the database, read whole: regular tables, the FTS5 table and its shadow tables, the migration
 * logs. Only SQLite's own catalog (`sqlite_*`) and D1's internal `_cf_*` tables (not readable) are left out.
 */
async function everyTable(): Promise<Map<string, Row[]>> {
  const db = harness.db()
  const tables = await db.all<{ name: string }>(
    sql.raw(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
    ),
  )
  const contents = new Map<string, Row[]>()
  for (const { name } of tables) {
    contents.set(name, await db.all<Row>(sql.raw(`SELECT * FROM "${name.replace(/"/g, '""')}"`)))
  }
  return contents
}

/** Where (table.column) any of the needles occurs, case-insensitively (FTS stores terms lower-cased). */
async function findEverywhere(needles: string[]): Promise<string[]> {
  const lowered = needles.map((needle) => needle.toLowerCase())
  const hits = new Set<string>()
  for (const [table, rows] of await everyTable()) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const text = cellText(value).toLowerCase()
        for (const needle of lowered) if (text.includes(needle)) hits.add(`${table}.${column}: ${needle}`)
      }
    }
  }
  return [...hits].sort()
}

describe('DELETE /v1/me leaves no personal data in any table', () => {
  it('erases the id, every email it had, name, phone and address strings, wherever they were copied', async () => {
    // One random tag inside every personal string, so a search for it finds any copy or fragment.
    const tag = Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) =>
      String.fromCharCode(97 + (byte % 26)),
    ).join('')
    const digits = String(100_000 + Math.floor(Math.random() * 899_999))
    const oldEmail = `zq-${tag}-first@example.com`
    const newEmail = `zq-${tag}-second@example.com`
    const name = `Zebulon Quaxley ${tag}`
    const phone = `+447700${digits}`
    const checkoutAddress = {
      name: `Z. Quaxley ${tag}`,
      line1: `14 Quillfeather Lane ${tag}`,
      line2: `Attic ${tag}`,
      city: `Marrowdale${tag}`,
      region: `Wessex${tag}`,
      postalCode: `QX${tag.slice(0, 5)}`,
      country: 'gb',
      phone: `+44 20 7946 ${digits}`,
    }
    const savedAddress = {
      ...checkoutAddress,
      line1: `Flat 2, Brindlewick Court ${tag}`,
      city: `Ostwick${tag}`,
      postalCode: `ZZ${tag.slice(3, 8)}`,
    }
    const ip = uniqueIp()

    // An account with a history: sign-ins (one failed), a reset link, an email change (the old address is told the
    // new one), a failed sign-in with the old address afterwards, a sign-in from a new device (a mail), a saved
    // address, an order checked out with an idempotency key, paid, its address changed by an admin (audited with
    // city and postcode), then cancelled by the customer (a refund the customer created).
    const { user } = await register({ email: oldEmail, name, phone })
    const first = await json(await login(oldEmail, PASSWORD, client(ip)))
    const token = first.accessToken as string
    expect((await login(oldEmail, 'wrong password guess', client(ip))).status).toBe(401)
    expect((await api('POST', '/v1/auth/password-reset', { body: { email: oldEmail } })).status).toBe(202)
    const moved = await api('PATCH', '/v1/me', {
      token,
      headers: client(ip),
      body: { email: newEmail, password: PASSWORD },
    })
    expect(moved.status).toBe(200)
    expect((await login(oldEmail, PASSWORD, client(ip))).status).toBe(401)
    expect(
      (await login(newEmail, PASSWORD, client(uniqueIp(), 'Mozilla/5.0 (X11; Linux) Chrome/130.0'))).status,
    ).toBe(200)
    const saved = await json(await api('POST', '/v1/me/addresses', { token, body: savedAddress }))
    const customer = { id: user.id as string, token }
    expect((await putInCart(customer, await createBook({ price: 1800 }), 1)).status).toBe(200)
    const checkout = await checkoutRequest(customer, crypto.randomUUID(), { address: checkoutAddress })
    expect(checkout.status).toBe(201)
    const order = await json(checkout)
    await payOrder(order)
    const admin = await createUser('admin')
    const readdressed = await api('PATCH', `/v1/orders/${order.id}/address`, {
      token: admin.token,
      body: { addressId: saved.id },
    })
    expect(readdressed.status).toBe(200)
    const cancelled = await api('POST', `/v1/orders/${order.id}/cancel`, { token })
    expect(cancelled.status).toBe(200)

    // Control: the search finds the data where the account's history put it.
    const needles = [user.id as string, tag, digits]
    const before = (await findEverywhere(needles)).map((hit) => hit.split('.')[0])
    for (const table of ['users', 'mail_outbox', 'login_attempts', 'audit_log', 'orders', 'refunds']) {
      expect(before).toContain(table)
    }

    const deleted = await api('DELETE', '/v1/me', {
      token,
      headers: client(ip),
      body: { password: PASSWORD },
    })
    expect(deleted.status).toBe(204)

    expect(await findEverywhere(needles)).toEqual([])
    // What accounting keeps: the order, its amounts and its country, without a person.
    const [kept] = await harness.db().all<Row>(sql`SELECT * FROM orders WHERE id = ${order.id}`)
    expect(kept).toMatchObject({
      user_id: null,
      ship_country: 'GB',
      status: 'cancelled',
      refunded_amount: order.total.amount,
    })
  })

  it('an admin deleted by another admin: their audit entries stay, under one pseudonym; their refunds lose them', async () => {
    const customer = await createUser()
    const leaving = await createUser('admin')
    const staying = await createUser('admin')
    await putInCart(customer, await createBook({ price: 2400 }), 1)
    const order = await json(await checkoutRequest(customer))
    await payOrder(order)
    const refund = (amount: number) =>
      api('POST', `/v1/admin/orders/${order.id}/refunds`, { token: leaving.token, body: { amount } })
    expect((await refund(500)).status).toBe(201)
    expect((await refund(700)).status).toBe(201)
    expect(await findEverywhere([leaving.id])).not.toEqual([])

    const deleted = await api('DELETE', `/v1/admin/users/${leaving.id}`, { token: staying.token })
    expect(deleted.status).toBe(204)

    expect(await findEverywhere([leaving.id])).toEqual([])
    const entries = await harness
      .db()
      .all<Row>(sql`SELECT actor_id FROM audit_log WHERE target_id = ${order.id} AND action = 'order.refund'`)
    expect(entries).toHaveLength(2)
    expect(new Set(entries.map((entry) => entry.actor_id)).size).toBe(1)
    expect(entries[0]!.actor_id).toMatch(/^del_/)
    const refunds = await harness
      .db()
      .all<Row>(sql`SELECT created_by FROM refunds WHERE order_id = ${order.id}`)
    expect(refunds).toEqual([{ created_by: null }, { created_by: null }])
  })

  it('keeps what belongs to another account that took over an address the deleted one left', async () => {
    const first = uniqueEmail('handover')
    await register({ email: first })
    const tokens = await json(await login(first, PASSWORD))
    const moved = await api('PATCH', '/v1/me', {
      token: tokens.accessToken,
      body: { email: uniqueEmail('moved'), password: PASSWORD },
    })
    expect(moved.status).toBe(200)
    // Someone else registers the address the first account left, and fails a sign-in with it.
    const { user: successor } = await register({ email: first })
    expect((await login(first, 'wrong password guess')).status).toBe(401)
    const before = await mailTo(first)
    expect(before.some((mail) => /confirm your email/i.test(mail.subject))).toBe(true)

    expect(
      (await api('DELETE', '/v1/me', { token: tokens.accessToken, body: { password: PASSWORD } })).status,
    ).toBe(204)

    // The successor's verification mail and sign-in attempt stay; the deleted account's mail to it went.
    const after = await mailTo(first)
    expect(after.map((mail) => mail.subject)).toEqual(['Confirm your email address'])
    const attempts = await harness
      .db()
      .all<Row>(sql`SELECT user_id FROM login_attempts WHERE email = ${first}`)
    expect(attempts).toEqual([{ user_id: successor.id }])
  })
})
