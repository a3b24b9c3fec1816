import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { books, liveOutbox, ORDER_STATUSES, orders, sessions } from '../../db/schema'
import type { Bindings } from '../../env'
import { type Channel, channelName, type LiveMessage, LOW_STOCK_MAX } from './live.events'

/**
 * Publishing after commit (transactional outbox). A write path adds the statements below to the SAME `db.batch`
 * as its change: an event is a `live_outbox` row that exists only if the change committed (a rolled-back batch
 * leaves none; a lost compare-and-swap writes none, each statement carries the swap's condition). After the
 * response the rows are delivered to their channels' Durable Objects (`ctx.waitUntil`) and deleted once stored;
 * the cron job redelivers leftovers, and the object ignores an outbox id it already stored (at-least-once
 * delivery, exactly-once events). Where no LIVE binding exists (the Node/libSQL project) no row is written.
 *
 * Events whose name starts with `_` are commands to the channel's object, never sent to subscribers:
 * `_timer.order_expiry` {orderId, at} arms the order's expiry alarm; `_close.user` {userId} and `_close.session`
 * {sessionId} close that user's or session's sockets with 4001.
 */

type Live = { env: Bindings & { LIVE: NonNullable<Bindings['LIVE']> }; wrote: boolean }

/** The databases (one per request, cron run or alarm) whose writes publish: those opened with a LIVE binding. */
const live = new WeakMap<Db, Live>()

/** Marks `db` as publishing to `env.LIVE` (no-op without the binding). */
export function enableLive(db: Db, env: Bindings): boolean {
  if (!env.LIVE) return false
  if (!live.has(db)) live.set(db, { env: env as Live['env'], wrote: false })
  return true
}

/** The publishing state of `db`, if it publishes (live.delivery.ts reads whether its writes wrote events). */
export const liveStateOf = (db: Db): Live | undefined => live.get(db)

function publishing(db: Db): Live | undefined {
  const state = live.get(db)
  if (state) state.wrote = true
  return state
}

const now = () => new Date()

/** Outbox rows for fixed messages, written only if `when` holds (e.g. a transition's `won`). */
export function liveEventStatements(db: Db, messages: LiveMessage[], when?: SQL, at = now()): Statement[] {
  if (!publishing(db) || messages.length === 0) return []
  return messages.map((message) => {
    const row = { channel: message.channel, event: message.event, data: message.data, occurredAt: at }
    if (!when) return db.insert(liveOutbox).values(row)
    return db
      .insert(liveOutbox)
      .select(
        sql`select null, ${message.channel}, ${message.event}, ${JSON.stringify(message.data)}, ${at.getTime()} where ${when}`,
      )
  })
}

/** A command row (see above), written only if `when` holds. */
export function liveCommandStatements(
  db: Db,
  commands: {
    channel: Channel
    command: '_timer.order_expiry' | '_close.user' | '_close.session'
    data: object
  }[],
  when?: SQL,
  at = now(),
): Statement[] {
  return liveEventStatements(
    db,
    commands.map(
      ({ channel, command, data }) => ({ channel, event: command, data }) as unknown as LiveMessage,
    ),
    when,
    at,
  )
}

const availabilitySql = (stock: SQL) =>
  sql`(case when ${stock} <= 0 then 'out_of_stock' when ${stock} <= ${LOW_STOCK_MAX} then 'low_stock' else 'in_stock' end)`

/**
 * `book.availability` on `book:{id}` when a stock or price change moves the book to another availability or
 * price, and `book.low_stock` on `admin` when stock falls into low or out; as INSERT … SELECT from the book row.
 * `before`/`after` are the stock (and price) as SQL over the row as the statement sees it: placed before the
 * UPDATE, `before` is the column and `after` the new value; placed after it, the other way round.
 */
export function bookChangeStatements(
  db: Db,
  change: {
    bookId: string
    stockBefore: SQL
    stockAfter: SQL
    priceBefore?: SQL
    priceAfter?: SQL
    currencyAfter?: SQL
    when?: SQL
  },
  at = now(),
): Statement[] {
  if (!publishing(db)) return []
  const { bookId, stockBefore, stockAfter } = change
  const priceBefore = change.priceBefore ?? sql`${books.priceAmount}`
  const priceAfter = change.priceAfter ?? sql`${books.priceAmount}`
  const currencyAfter = change.currencyAfter ?? sql`${books.currency}`
  const row = and(eq(books.id, bookId), change.when)
  const availabilityChanged = sql`${availabilitySql(stockBefore)} <> ${availabilitySql(stockAfter)}`
  const availability = db
    .insert(liveOutbox)
    .select(
      sql`select null, ${channelName.book(bookId)}, 'book.availability', json_object('bookId', ${books.id}, 'availability', ${availabilitySql(stockAfter)}, 'price', json_object('amount', ${priceAfter}, 'currency', ${currencyAfter})), ${at.getTime()} from ${books} where ${row} and (${availabilityChanged} or ${priceBefore} <> ${priceAfter} or ${books.currency} <> ${currencyAfter})`,
    )
  const lowStock = db
    .insert(liveOutbox)
    .select(
      sql`select null, 'admin', 'book.low_stock', json_object('bookId', ${books.id}, 'stock', ${stockAfter}), ${at.getTime()} from ${books} where ${row} and ${stockAfter} < ${stockBefore} and ${stockAfter} <= ${LOW_STOCK_MAX} and ${availabilityChanged}`,
    )
  return [availability, lowStock]
}

/** After a stock delta was applied to each line's book (reserve: negative, release: positive). */
export function stockChangedStatements(
  db: Db,
  lines: { bookId: string; delta: number }[],
  when?: SQL,
  at = now(),
): Statement[] {
  return lines.flatMap((line) =>
    bookChangeStatements(
      db,
      {
        bookId: line.bookId,
        stockBefore: sql`(${books.stock} - ${line.delta})`,
        stockAfter: sql`${books.stock}`,
        when,
      },
      at,
    ),
  )
}

/** `book.deleted`, before the DELETE (only if the book exists). */
export function bookDeletedStatements(db: Db, bookId: string, at = now()): Statement[] {
  if (!publishing(db)) return []
  return [
    db
      .insert(liveOutbox)
      .select(
        sql`select null, ${channelName.book(bookId)}, 'book.deleted', json_object('bookId', ${books.id}), ${at.getTime()} from ${books} where ${books.id} = ${bookId}`,
      ),
  ]
}

/** The statuses a subscriber hears about: every one an order moves to (the initial pending_payment is none). */
const PUBLISHED_STATUSES: ReadonlySet<string> = new Set(
  ORDER_STATUSES.filter((status) => status !== 'pending_payment'),
)

/**
 * `order.updated` on the owner's channel and on `admin`, placed BEFORE the transition's compare-and-swap with the
 * swap's own condition: it reads the status being left (previousStatus) and exists only if the swap will win.
 */
export function orderTransitionStatements(
  db: Db,
  transition: { orderId: string; from: SQL | undefined; status: string | undefined; reason?: 'expired' },
  at = now(),
): Statement[] {
  if (!transition.status || !PUBLISHED_STATUSES.has(transition.status) || !publishing(db)) return []
  const where = and(eq(orders.id, transition.orderId), transition.from)
  const reason = transition.reason ? sql`, 'reason', ${transition.reason}` : sql``
  const data = sql`json_object('orderId', ${orders.id}, 'status', ${transition.status}, 'previousStatus', ${orders.status}${reason}`
  return [
    db
      .insert(liveOutbox)
      .select(
        sql`select null, 'user:' || ${orders.userId}, 'order.updated', ${data}), ${at.getTime()} from ${orders} where ${where}`,
      ),
    db
      .insert(liveOutbox)
      .select(
        sql`select null, 'admin', 'order.updated', ${data}, 'userId', ${orders.userId}), ${at.getTime()} from ${orders} where ${where}`,
      ),
  ]
}

/**
 * `session.revoked` on the owner's channel for every active session `where` selects, placed BEFORE the UPDATE
 * that revokes them (same condition), and a command closing those sessions' admin sockets. With `revokedAt`,
 * placed AFTER the UPDATE instead: the sessions it revoked at that very time.
 */
export function sessionsRevokedStatements(
  db: Db,
  where: SQL | undefined,
  at = now(),
  options: { revokedAt?: Date } = {},
): Statement[] {
  if (!publishing(db)) return []
  const active = and(
    where,
    options.revokedAt
      ? sql`${sessions.revokedAt} = ${options.revokedAt.getTime()}`
      : sql`${sessions.revokedAt} is null`,
  )
  return [
    db
      .insert(liveOutbox)
      .select(
        sql`select null, 'user:' || ${sessions.userId}, 'session.revoked', json_object('sessionId', ${sessions.id}), ${at.getTime()} from ${sessions} where ${active}`,
      ),
    db
      .insert(liveOutbox)
      .select(
        sql`select null, 'admin', '_close.session', json_object('sessionId', ${sessions.id}), ${at.getTime()} from ${sessions} where ${active}`,
      ),
  ]
}
