import { and, desc, eq, gt, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type Bind, Bindings, compiledOnce, literal } from '../../db/compiled'
import { booksFts } from '../../db/fts'
import { bookRelations, bookSubjects, books, orderLines, orders, subjects } from '../../db/schema'
import { ApiError } from '../../http/problem'
import type { Book } from './books.schemas'
import { listExtras, toBook, type ViewOptions } from './books.views'
import { searchTerms } from './search-query'

/** Order statuses that count as bought: paid and not taken back (refunds and cancellations do not count). */
export const BOUGHT_STATUSES = ['paid', 'shipped', 'delivered'] as const

/** Bounds on one recompute, so the cron's work does not grow without limit with the shop's history. */
export const RECOMPUTE_LIMITS = {
  /** Only orders placed in the last year count… */
  windowDays: 365,
  /** …at most this many, the newest first… */
  maxOrders: 20_000,
  /** …and not orders of more lines than this (a library's bulk order says little and makes n² pairs). */
  maxLinesPerOrder: 50,
  /** Related books kept per book, the most buyers first. */
  perBook: 20,
}

/** The cron recomputes at most this often: co-occurrence moves slowly, and the answers are cached for up to 1 h. */
const RECOMPUTE_EVERY_MS = 3_600_000

/**
 * Recomputes "customers who bought this also bought" into `book_relations`: pairs of different books in the same
 * bought order, counted by distinct buyers, kept only from `minBuyers` buyers up (so one order, or a couple of
 * customers, can never be read back from the answer), never two editions of one work, the `perBook` best per
 * book. One batch replaces every row, computed inside SQLite (no rows travel): readers see the old set or the
 * new one. Orders of erased accounts (user_id NULL) no longer count.
 */
export async function recomputeBookRelations(
  db: Db,
  options: { minBuyers: number; now?: Date; force?: boolean },
): Promise<{ recomputed: boolean; pairs: number }> {
  const now = options.now ?? new Date()
  if (!options.force) {
    const [latest] = await db
      .select({ at: sql<number | null>`max(${bookRelations.computedAt})` })
      .from(bookRelations)
    if (latest?.at != null && now.getTime() - latest.at < RECOMPUTE_EVERY_MS)
      return { recomputed: false, pairs: 0 }
  }
  const since = new Date(now.getTime() - RECOMPUTE_LIMITS.windowDays * 86_400_000)
  const statuses = sql.join(
    BOUGHT_STATUSES.map((status) => sql`${status}`),
    sql`, `,
  )
  // orders_status_created_idx serves the filter and the newest-first order.
  const bought = sql`
    select ${orders.id} as id, ${orders.userId} as buyer from ${orders}
    where ${orders.status} in (${statuses}) and ${orders.createdAt} >= ${since.getTime()}
      and ${orders.userId} is not null
      and (select count(*) from ${orderLines} where ${orderLines.orderId} = ${orders.id}) <= ${RECOMPUTE_LIMITS.maxLinesPerOrder}
    order by ${orders.createdAt} desc limit ${RECOMPUTE_LIMITS.maxOrders}`
  const pairs = sql`
    select a.book_id as book_id, b.book_id as related_book_id, count(distinct bought.buyer) as buyers
    from (${bought}) as bought
    join ${orderLines} as a on a.order_id = bought.id
    join ${orderLines} as b on b.order_id = bought.id and b.book_id <> a.book_id
    group by a.book_id, b.book_id
    having count(distinct bought.buyer) >= ${options.minBuyers}`
  const ranked = sql`
    select pairs.book_id, pairs.related_book_id, pairs.buyers,
      row_number() over (partition by pairs.book_id order by pairs.buyers desc, pairs.related_book_id) as position
    from (${pairs}) as pairs
    join ${books} as x on x.id = pairs.book_id
    join ${books} as y on y.id = pairs.related_book_id
    where coalesce(x.work_id, x.id) <> coalesce(y.work_id, y.id)`
  const [, inserted] = await db.batch([
    db.delete(bookRelations),
    db
      .insert(bookRelations)
      .select(
        sql`select book_id, related_book_id, buyers, ${now.getTime()} from (${ranked}) where position <= ${RECOMPUTE_LIMITS.perBook}`,
      )
      .returning({ bookId: bookRelations.bookId }),
  ])
  return { recomputed: true, pairs: inserted.length }
}

export type RelatedBooks = { source: 'bought_together' | 'similar'; data: Book[] }

/**
 * The work of book `id` as `relatedTo` compares it (its own id when it has none), read inside the statement, so the
 * pairs can go out in the batch that reads the book. Written out with an alias: its columns must not bind to the
 * outer `books`. Static SQL, the id bound.
 */
const workOf = (id: unknown): SQL =>
  sql`(select coalesce(own_book.work_id, own_book.id) from books own_book where own_book.id = ${id})`

/** What a related book must be: another book, in stock, not an edition of the same work (`ownWork`). */
function relatedTo(id: unknown, ownWork: unknown): SQL {
  return and(
    sql`${books.id} <> ${id}`,
    gt(books.stock, 0),
    sql`coalesce(${books.workId}, ${books.id}) <> ${ownWork}`,
  )!
}

/** Candidates per subject and per author read by the fallback: bounded whatever the size of "Fiction". */
const SIMILAR_WINDOW = 50
const MAX_SUBJECTS = 5
const MAX_AUTHORS = 3

type OwnBook = { id: string; workId: string | null; authors: string[] }

/**
 * The fallback's candidates, unexecuted (test/related.test.ts checks its plan): one leg per subject and per author,
 * each a bounded window read through an index, summed into a score per book; null when there is nothing to match.
 */
export function buildSimilarCandidatesQuery(
  own: OwnBook,
  subjectIds: string[],
  limit = 8,
  bind: Bind = literal,
): SQL | null {
  const id = bind('id', own.id)
  const legs: SQL[] = subjectIds.map(
    (subjectId, index) =>
      sql`select * from (select ${bookSubjects.bookId} as book_id, 1 as score from ${bookSubjects} where ${bookSubjects.subjectId} = ${bind(`subject${index}`, subjectId)} and ${bookSubjects.bookId} <> ${id} limit ${SIMILAR_WINDOW})`,
  )
  for (const author of own.authors.slice(0, MAX_AUTHORS)) {
    const words = searchTerms(author)
    if (words.length === 0) continue
    const phrase = bind(`author${legs.length}`, `authors : "${words.join(' ')}"`)
    legs.push(
      sql`select * from (select ${books.id} as book_id, 2 as score from (select rowid from ${booksFts} where ${booksFts} match ${phrase} order by rowid limit ${SIMILAR_WINDOW}) as hits join ${books} on ${books.seq} = hits.rowid)`,
    )
  }
  if (legs.length === 0) return null
  // Scored, then filtered (in stock, another work) and cut to the page inside SQLite: only `limit` books come back.
  return sql`select candidates.book_id, candidates.score from (
      select book_id, sum(score) as score from (${sql.join(legs, sql` union all `)}) group by book_id
    ) as candidates
    join ${books} on ${books.id} = candidates.book_id
    where ${relatedTo(id, bind('work', own.workId ?? own.id))}
    order by candidates.score desc, ${books.seq} desc
    limit ${bind('limit', limit)}`
}

/** The book's most specific subjects, for the fallback (book_subjects' primary key, then subjects by id). */
function ownSubjectsQuery(db: Db, id: unknown) {
  return db
    .select({ id: bookSubjects.subjectId })
    .from(bookSubjects)
    .innerJoin(subjects, eq(subjects.id, bookSubjects.subjectId))
    .where(sql`${bookSubjects.bookId} = ${id}`)
    .orderBy(desc(subjects.depth))
    .limit(MAX_SUBJECTS)
}

/**
 * The fallback, unexecuted: books sharing the book's most specific subjects (one point each) and its authors (two
 * points), best score first, with their subjects and series (the list's own extras), in one statement; null when
 * there is nothing to match. The ranked page comes first (CROSS JOIN keeps that order in SQLite), then each of its
 * books by `books.id`'s unique index.
 */
export function buildSimilarBooksQuery(
  db: Db,
  own: OwnBook,
  subjectIds: string[],
  limit: number,
  bind: Bind = literal,
) {
  const candidates = buildSimilarCandidatesQuery(own, subjectIds, limit, bind)
  if (!candidates) return null
  return db
    .select({ book: books, ...listExtras() })
    .from(sql`(${candidates}) as ranked`)
    .crossJoin(books)
    .where(sql`${books.id} = ranked.book_id`)
    .orderBy(sql`ranked.score desc`, desc(books.seq))
}

/** The recomputed pairs of a book, unexecuted: a range of book_relations_rank_idx, best first. */
export function buildBoughtTogetherQuery(db: Db, own: { id: string }, limit: number, bind: Bind = literal) {
  const id = bind('id', own.id)
  return db
    .select({ book: books, ...listExtras() })
    .from(bookRelations)
    .innerJoin(books, eq(books.id, bookRelations.relatedBookId))
    .where(and(sql`${bookRelations.bookId} = ${id}`, relatedTo(id, workOf(id))))
    .orderBy(desc(bookRelations.buyers), desc(books.seq))
    .limit(bind('limit', limit))
}

/**
 * `GET /v1/books/{id}/related`: bought together when the recompute found pairs for this book (`source:
 * "bought_together"`), else the same subjects and authors (`source: "similar"`). Out-of-stock books and other
 * editions of the same work are left out in both, at read time, so a sell-out shows at once.
 * Round trips: one batch reads the book, its subjects and its pairs; only the fallback takes a second, as its
 * author legs are FTS5 phrases built from the authors that batch read (`searchTerms`: SQL cannot tokenise them).
 * Each statement's SQL is built once per isolate for its shape (src/db/compiled.ts).
 */
export async function relatedBooks(
  db: Db,
  id: string,
  limit: number,
  view: ViewOptions,
): Promise<RelatedBooks> {
  const bindings = new Bindings('')
  const bound = bindings.bind('id', id)
  const [owned, ownSubjects, together] = await db.batch([
    compiledOnce(
      db
        .select({ id: books.id, workId: books.workId, authors: books.authors })
        .from(books)
        .where(sql`${books.id} = ${bound}`),
      bindings,
      'related.own',
    ),
    compiledOnce(ownSubjectsQuery(db, bound), bindings, 'related.subjects'),
    compiledOnce(buildBoughtTogetherQuery(db, { id }, limit, bindings.bind), bindings, 'related.together'),
  ])
  const own = owned[0]
  if (!own) throw new ApiError(404, { title: 'Book not found', detail: `No book has id ${id}` })
  if (together.length > 0) {
    return { source: 'bought_together', data: together.map((row) => toBook(row.book, row, view)) }
  }
  const similarBindings = new Bindings('')
  const similar = buildSimilarBooksQuery(
    db,
    own,
    ownSubjects.map((subject) => subject.id),
    limit,
    similarBindings.bind,
  )
  const rows = similar ? await compiledOnce(similar, similarBindings, 'related.similar') : []
  return { source: 'similar', data: rows.map((row) => toBook(row.book, row, view)) }
}
