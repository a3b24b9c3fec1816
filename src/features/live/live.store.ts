import { REPLAY_BUFFER_SIZE } from './live.events'

/** Outbox ids are remembered this long (the cron redelivers leftovers within minutes). */
const DEDUPE_FOR_MS = 7 * 24 * 3_600_000

/** A stored event, as replayed to a subscriber that resumes. */
export type StoredEvent = { id: number; event: string; data: string; occurred_at: number }

/** One outbox row on its way to a channel: an event, or a command (`_…`) to the channel object. */
export type PublishItem = { outboxId: number; event: string; data: unknown; occurredAt: number }

export const timerKey = {
  orderExpiry: (orderId: string) => `expire:${orderId}`,
}

/** What a published batch stored and what the channel object must do after it commits. */
export type StoredBatch = {
  /** The outbox ids now stored (the caller deletes those rows), delivered before or now. */
  stored: number[]
  /** The new events' frames, in order, to send to every subscriber. */
  frames: { id: number; text: string }[]
  revokedSessions: string[]
  closedUsers: string[]
  timers: { key: string; at: number }[]
}

/**
 * One channel object's SQLite storage (live.channel.ts): its meta (the channel name, the last event id), its
 * numbered events (the last REPLAY_BUFFER_SIZE, for resume), the outbox ids it has stored (exactly once per
 * channel) and its timers. Synchronous, as the Durable Object SQL API is.
 */
export class ChannelStore {
  constructor(private readonly sql: SqlStorage) {
    this.createTables()
  }

  /** The tables, created again after `deleteAll()` (an erased user's channel). */
  createTables() {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, event TEXT NOT NULL, data TEXT NOT NULL, occurred_at INTEGER NOT NULL)`,
    )
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS delivered (outbox_id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, at INTEGER NOT NULL)`,
    )
    this.sql.exec(`CREATE TABLE IF NOT EXISTS timers (key TEXT PRIMARY KEY, at INTEGER NOT NULL)`)
  }

  meta(key: string): string | null {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]
    return row?.value ?? null
  }

  setMeta(key: string, value: string) {
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    )
  }

  lastEventId(): number {
    return Number(this.meta('last_event_id') ?? 0)
  }

  /** The oldest event still buffered, or null. */
  oldestEventId(): number | null {
    return this.sql.exec<{ id: number | null }>('SELECT min(id) AS id FROM events').toArray()[0]?.id ?? null
  }

  eventsAfter(since: number): Iterable<StoredEvent> {
    return this.sql.exec<StoredEvent>(
      'SELECT id, event, data, occurred_at FROM events WHERE id > ? ORDER BY id',
      since,
    )
  }

  wasDelivered(outboxId: number): boolean {
    return this.sql.exec('SELECT 1 FROM delivered WHERE outbox_id = ?', outboxId).toArray().length > 0
  }

  /** Stores event `id` for outbox row `outboxId`. */
  append(id: number, outboxId: number, event: string, data: string, occurredAt: number, now: number) {
    this.sql.exec(
      'INSERT INTO events (id, event, data, occurred_at) VALUES (?, ?, ?, ?)',
      id,
      event,
      data,
      occurredAt,
    )
    this.sql.exec('INSERT INTO delivered (outbox_id, event_id, at) VALUES (?, ?, ?)', outboxId, id, now)
  }

  /**
   * Stores a batch, in outbox order, each event once: an outbox id already stored is acknowledged again but not
   * renumbered or resent. Commands (live.outbox.ts) are acted on, never numbered nor sent: their timers are set
   * here, the sockets to close are returned. Run inside the object's `transactionSync`.
   */
  storeBatch(channel: string, items: PublishItem[], now: number): StoredBatch {
    const batch: StoredBatch = { stored: [], frames: [], revokedSessions: [], closedUsers: [], timers: [] }
    let last = this.lastEventId()
    for (const item of [...items].sort((a, b) => a.outboxId - b.outboxId)) {
      batch.stored.push(item.outboxId)
      const data = (item.data ?? {}) as Record<string, unknown>
      if (item.event.startsWith('_')) {
        if (item.event === '_close.session' && typeof data.sessionId === 'string')
          batch.revokedSessions.push(data.sessionId)
        if (item.event === '_close.user' && typeof data.userId === 'string')
          batch.closedUsers.push(data.userId)
        if (
          item.event === '_timer.order_expiry' &&
          typeof data.orderId === 'string' &&
          typeof data.at === 'number'
        )
          batch.timers.push({ key: timerKey.orderExpiry(data.orderId), at: data.at })
        continue
      }
      if (this.wasDelivered(item.outboxId)) continue
      last += 1
      const text = JSON.stringify(data)
      this.append(last, item.outboxId, item.event, text, item.occurredAt, now)
      const row = { id: last, event: item.event, data: text, occurred_at: item.occurredAt }
      batch.frames.push({ id: last, text: eventFrame(channel, row) })
      if (item.event === 'session.revoked' && typeof data.sessionId === 'string')
        batch.revokedSessions.push(data.sessionId)
    }
    for (const timer of batch.timers) this.setTimer(timer.key, timer.at)
    this.commitUpTo(last, now)
    return batch
  }

  /** Records `last` as the newest event and drops what fell out of the replay buffer and the dedupe window. */
  commitUpTo(last: number, now: number) {
    this.setMeta('last_event_id', String(last))
    this.sql.exec('DELETE FROM events WHERE id <= ?', last - REPLAY_BUFFER_SIZE)
    this.sql.exec('DELETE FROM delivered WHERE at < ?', now - DEDUPE_FOR_MS)
  }

  /** Fires `key` at `at` (ms); an existing timer of that key is moved. */
  setTimer(key: string, at: number) {
    this.sql.exec(
      'INSERT INTO timers (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at',
      key,
      at,
    )
  }

  nextTimerAt(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT min(at) AS at FROM timers').toArray()[0]?.at ?? null
  }

  dueTimers(now: number): string[] {
    return this.sql
      .exec<{ key: string }>('SELECT key FROM timers WHERE at <= ? ORDER BY at', now)
      .toArray()
      .map((row) => row.key)
  }

  /** Moves an existing timer (a failed one, retried later); a timer no longer there stays gone. */
  postponeTimer(key: string, at: number) {
    this.sql.exec('UPDATE timers SET at = ? WHERE key = ?', at, key)
  }

  dropTimer(key: string) {
    this.sql.exec('DELETE FROM timers WHERE key = ?', key)
  }
}

/** A stored event's frame as sent, on WebSockets and event streams alike. */
export function eventFrame(channel: string, row: StoredEvent) {
  // `data` is stored as JSON text already: spliced in, not parsed and re-serialised per subscriber.
  return `{"type":"event","channel":${JSON.stringify(channel)},"id":${row.id},"event":${JSON.stringify(row.event)},"data":${row.data},"occurredAt":"${new Date(row.occurred_at).toISOString()}"}`
}
