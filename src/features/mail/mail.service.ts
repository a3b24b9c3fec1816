import { and, asc, desc, eq, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type MailRow, mailOutbox } from '../../db/schema'
import { randomId } from '../../lib/ids'
import { securityNoticeMail } from './mail.templates'
import type { MailTransport, OutgoingMail } from './mail.transports'

/** Tries before a mail is declared dead, and how long to wait after each failure (exponential backoff). */
export const MAX_MAIL_ATTEMPTS = 6
const backoffMs = (attempt: number) => 60_000 * 2 ** (attempt - 1) // 1, 2, 4, 8, 16 minutes
/** A claimed delivery holds the row this long, so the queue and the cron sweep never send it twice at once. */
const DELIVERY_LEASE_MS = 60_000

/** A mail and the account it is about (null for none), so that deleting the account can erase it. */
export type AccountMail = OutgoingMail & { userId: string | null }

/**
 * The outbox insert for a mail, to put in the same `db.batch` as the change that causes it (transactional
 * outbox): either both happen or neither. Returns the statement and the id to enqueue after the batch.
 */
export function outboxInsert(db: Db, mail: AccountMail, now = new Date()) {
  const id = randomId('mail')
  const statement = db
    .insert(mailOutbox)
    .values({ id, ...mail, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
  return { id, statement }
}

/** The outbox insert of a security notice ("your password was changed") to the account's own address. */
export function securityNoticeInsert(
  db: Db,
  user: { id: string; email: string; name: string },
  what: string,
  now = new Date(),
) {
  return outboxInsert(db, { userId: user.id, ...securityNoticeMail(user.email, user.name, what) }, now)
}

export type DeliveryResult = 'sent' | 'retry' | 'dead' | 'skipped'

/** Claims a due pending mail (compare-and-swap on its lease), sends it, and records the outcome. */
export async function deliverMail(db: Db, transport: MailTransport, id: string, now = new Date()) {
  const [claimed] = await db
    .update(mailOutbox)
    .set({
      nextAttemptAt: new Date(now.getTime() + DELIVERY_LEASE_MS),
      attempts: sql`${mailOutbox.attempts} + 1`,
    })
    .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
    .returning()
  if (!claimed) return 'skipped' satisfies DeliveryResult
  try {
    await transport.send({ to: claimed.to, subject: claimed.subject, text: claimed.text })
  } catch (error) {
    const dead = claimed.attempts >= MAX_MAIL_ATTEMPTS
    await db
      .update(mailOutbox)
      .set({
        status: dead ? 'dead' : 'pending',
        nextAttemptAt: new Date(now.getTime() + backoffMs(claimed.attempts)),
        lastError: String(error instanceof Error ? error.message : error).slice(0, 500),
      })
      .where(eq(mailOutbox.id, id))
    console.error(JSON.stringify({ level: 'warn', msg: 'mail delivery failed', outboxId: id, dead }))
    return (dead ? 'dead' : 'retry') satisfies DeliveryResult
  }
  await db
    .update(mailOutbox)
    .set({ status: 'sent', sentAt: new Date(), lastError: null })
    .where(eq(mailOutbox.id, id))
  return 'sent' satisfies DeliveryResult
}

/** Pending mail whose (re)try time has come: the cron sweep re-enqueues these, so a lost message is not lost mail. */
export async function dueMailIds(db: Db, now = new Date(), limit = 100): Promise<string[]> {
  const rows = await db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
    .orderBy(asc(mailOutbox.nextAttemptAt))
    .limit(limit)
  return rows.map((row) => row.id)
}

const LINK_PATTERN = /https?:\/\/[^\s<>"]+/g

export function toDevMail(row: MailRow) {
  return {
    id: row.id,
    to: row.to,
    subject: row.subject,
    text: row.text,
    links: row.text.match(LINK_PATTERN) ?? [],
    status: row.status,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
  }
}

export async function listOutbox(db: Db, filter: { to?: string; limit: number }) {
  const rows = await db
    .select()
    .from(mailOutbox)
    .where(filter.to ? eq(mailOutbox.to, filter.to.trim().toLowerCase()) : undefined)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(filter.limit)
  return rows.map(toDevMail)
}
