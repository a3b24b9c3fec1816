import { and, asc, eq, exists, gt, inArray, lt, notExists, type SQL, sql } from 'drizzle-orm'
import { insertWhen, runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { auditLog, bookSubjects, books, type SubjectRow, subjects } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { childPath, slugify, subtreeRange } from './subject-paths'
import {
  MAX_SUBJECT_DEPTH,
  MAX_SUBJECTS,
  type Subject,
  type SubjectCreate,
  type SubjectRef,
  type SubjectUpdate,
} from './subjects.schemas'

export function toSubject(row: SubjectRow): Subject {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    parentId: row.parentId,
    depth: row.depth,
    code: row.code,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

const toRef = (row: Pick<SubjectRow, 'id' | 'name' | 'slug'>): SubjectRef => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
})

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base' })

const notFound = (ref: string) =>
  new ApiError(404, { title: 'Subject not found', detail: `No subject has id or slug ${ref}` })

const isId = (ref: string) => ref.startsWith('sb_')

/** The subject named by an id (`sb_…`) or a slug, or undefined. */
export async function findSubject(db: Db, ref: string): Promise<SubjectRow | undefined> {
  return await db.query.subjects.findFirst({
    where: isId(ref) ? eq(subjects.id, ref) : eq(subjects.slug, ref),
  })
}

/** Every subject in tree order: depth first, siblings by name (each subject right before its descendants). */
export async function subjectTree(db: Db): Promise<Subject[]> {
  const rows = await db.select().from(subjects).orderBy(asc(subjects.path))
  const children = new Map<string | null, SubjectRow[]>()
  for (const row of rows) {
    const siblings = children.get(row.parentId) ?? []
    siblings.push(row)
    children.set(row.parentId, siblings)
  }
  const ordered: Subject[] = []
  const visit = (parentId: string | null) => {
    for (const row of (children.get(parentId) ?? []).sort(byName)) {
      ordered.push(toSubject(row))
      visit(row.id)
    }
  }
  visit(null)
  return ordered
}

export async function getSubject(db: Db, ref: string) {
  const row = await findSubject(db, ref)
  if (!row) throw notFound(ref)
  const ancestorIds = row.path.split('/').filter((id) => id && id !== row.id)
  const [ancestors, children] = await Promise.all([
    ancestorIds.length
      ? db
          .select({ id: subjects.id, name: subjects.name, slug: subjects.slug })
          .from(subjects)
          .where(inArray(subjects.id, ancestorIds))
          .orderBy(asc(subjects.depth))
      : Promise.resolve([]),
    db
      .select({ id: subjects.id, name: subjects.name, slug: subjects.slug })
      .from(subjects)
      .where(eq(subjects.parentId, row.id)),
  ])
  return { ...toSubject(row), ancestors: ancestors.map(toRef), children: children.sort(byName).map(toRef) }
}

function uniqueViolation(
  error: unknown,
  input: { slug?: string; code?: string | null },
): ApiError | undefined {
  if (isUniqueViolation(error, 'subjects.slug')) {
    return new ApiError(409, {
      title: 'Duplicate subject slug',
      detail: `Another subject has the slug ${input.slug}`,
      errors: [{ pointer: '/body/slug', detail: 'Already taken; send another slug' }],
    })
  }
  if (isUniqueViolation(error, 'subjects.code')) {
    return new ApiError(409, {
      title: 'Duplicate subject code',
      detail: `Another subject has the code ${input.code}`,
      errors: [{ pointer: '/body/code', detail: 'Already used by another subject' }],
    })
  }
  return undefined
}

const unknownParent = (parentId: string) =>
  new ApiError(422, {
    title: 'Validation failed',
    detail: `No subject has id ${parentId}`,
    type: 'validation-error',
    errors: [{ pointer: '/body/parentId', detail: 'Unknown subject' }],
  })

const tooDeep = () =>
  new ApiError(422, {
    title: 'Validation failed',
    detail: `The taxonomy is at most ${MAX_SUBJECT_DEPTH} levels deep`,
    type: 'validation-error',
    errors: [{ pointer: '/body/parentId', detail: 'Too deep' }],
  })

/**
 * One conditional INSERT: the parent's path and depth are read by the statement itself, and it inserts nothing
 * if the parent is gone, the tree would get too deep, or the taxonomy is full (OWASP API4: bounded resources).
 */
export async function createSubject(db: Db, input: SubjectCreate, actorId?: string): Promise<Subject> {
  const id = randomId('sb')
  const now = new Date()
  const slug = input.slug ?? (slugify(input.name) || id.replace('_', '-'))
  const parent = input.parentId
  const parentRow = sql`(select ${subjects.path} from ${subjects} where ${subjects.id} = ${parent ?? null})`
  const values = {
    id,
    name: input.name,
    slug,
    parentId: parent ?? null,
    path: parent ? sql`${parentRow} || ${`${id}/`}` : childPath(null, id),
    depth: parent ? sql`(select ${subjects.depth} + 1 from ${subjects} where ${subjects.id} = ${parent})` : 0,
    code: input.code ?? null,
    createdAt: now,
    updatedAt: now,
  }
  const room = sql`(select count(*) from ${subjects}) < ${MAX_SUBJECTS}`
  const condition = parent
    ? sql`${room} and exists (select 1 from ${subjects} where ${subjects.id} = ${parent} and ${subjects.depth} < ${MAX_SUBJECT_DEPTH - 1})`
    : room
  let inserted: SubjectRow[]
  try {
    const insert = insertWhen(db, subjects, values, condition).returning()
    const after = { name: input.name, slug, parentId: parent ?? null, code: input.code ?? null }
    const audit = actorId
      ? [auditStatement(db, actorId, 'subject.create', id, { before: null, after }, subjectExists(db, id))]
      : []
    inserted = (await runBatch(db, [insert, ...audit]))[0] as SubjectRow[]
  } catch (error) {
    throw uniqueViolation(error, { slug, code: input.code }) ?? error
  }
  if (inserted[0]) return toSubject(inserted[0])
  if (parent) {
    const parentFound = await db.query.subjects.findFirst({ where: eq(subjects.id, parent) })
    if (!parentFound) throw unknownParent(parent)
    if (parentFound.depth >= MAX_SUBJECT_DEPTH - 1) throw tooDeep()
  }
  throw new ApiError(409, {
    title: 'Taxonomy full',
    detail: `The taxonomy holds at most ${MAX_SUBJECTS} subjects; delete unused ones first`,
  })
}

type Move = { parentId: string | null; path: string; depth: number; parentPath: string | null }

/** Where the subject goes when `parentId` changes, refusing cycles and trees deeper than the cap. */
async function planMove(db: Db, row: SubjectRow, parentId: string | null): Promise<Move> {
  if (parentId === null) return { parentId, path: childPath(null, row.id), depth: 0, parentPath: null }
  const parent = await db.query.subjects.findFirst({ where: eq(subjects.id, parentId) })
  if (!parent) throw unknownParent(parentId)
  if (parent.path.startsWith(row.path)) {
    throw new ApiError(422, {
      title: 'Validation failed',
      detail: 'A subject cannot move under itself or one of its descendants (the taxonomy is a tree)',
      type: 'validation-error',
      errors: [{ pointer: '/body/parentId', detail: 'Would make a cycle' }],
    })
  }
  const { from, to } = subtreeRange(row.path)
  const [deepest] = await db
    .select({ depth: sql<number>`max(${subjects.depth})` })
    .from(subjects)
    .where(and(sql`${subjects.path} >= ${from}`, lt(subjects.path, to)))
  const newDepth = parent.depth + 1
  if ((deepest?.depth ?? row.depth) - row.depth + newDepth >= MAX_SUBJECT_DEPTH) throw tooDeep()
  return { parentId, path: childPath(parent.path, row.id), depth: newDepth, parentPath: parent.path }
}

/**
 * Rename, re-slug, re-code and/or move. A move is one batch of compare-and-swaps: the subject's own row moves only
 * if its path and its new parent's path are still those read, and its descendants move only if it did, so a
 * concurrent move can neither be lost nor make a cycle.
 */
export async function updateSubject(
  db: Db,
  id: string,
  input: SubjectUpdate,
  actorId?: string,
): Promise<Subject> {
  const row = await db.query.subjects.findFirst({ where: eq(subjects.id, id) })
  if (!row) throw notFound(id)
  const now = new Date()
  const moving = input.parentId !== undefined && input.parentId !== row.parentId
  const move = moving ? await planMove(db, row, input.parentId ?? null) : undefined
  const fields = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.code !== undefined ? { code: input.code } : {}),
    ...(move ? { parentId: move.parentId, path: move.path, depth: move.depth } : {}),
    updatedAt: now,
  }
  const parentUnchanged = move?.parentId
    ? sql`(select ${subjects.path} from ${subjects} where ${subjects.id} = ${move.parentId}) = ${move.parentPath}`
    : undefined
  const own = db
    .update(subjects)
    .set(fields)
    .where(and(eq(subjects.id, id), eq(subjects.path, row.path), parentUnchanged))
    .returning()
  const statements: Statement[] = [own]
  if (move) {
    const { to } = subtreeRange(row.path)
    statements.push(
      db
        .update(subjects)
        .set({
          path: sql`${move.path} || substr(${subjects.path}, ${row.path.length + 1})`,
          depth: sql`${subjects.depth} + ${move.depth - row.depth}`,
          updatedAt: now,
        })
        .where(
          and(
            gt(subjects.path, row.path),
            lt(subjects.path, to),
            sql`(select ${subjects.path} from ${subjects} where ${subjects.id} = ${id}) = ${move.path}`,
          ),
        ),
    )
  }
  if (actorId) {
    const before = auditedFields(row)
    const after = auditedFields({ ...row, ...fields })
    statements.push(
      auditStatement(db, actorId, 'subject.update', id, { before, after }, subjectExists(db, id, now)),
    )
  }
  let results: unknown[]
  try {
    results = await runBatch(db, statements)
  } catch (error) {
    throw uniqueViolation(error, { slug: input.slug, code: input.code }) ?? error
  }
  const [updated] = results[0] as SubjectRow[]
  if (updated) return toSubject(updated)
  const still = await db.query.subjects.findFirst({ columns: { id: true }, where: eq(subjects.id, id) })
  if (!still) throw notFound(id)
  throw new ApiError(409, {
    title: 'Subject changed concurrently',
    detail: 'The subject or its new parent moved while this change was made; read it again and retry',
  })
}

/**
 * Deletes a subject that has no children (move or delete those first). Books filed under it lose that filing,
 * in the same batch (D1 and libSQL may not enforce the foreign key's ON DELETE CASCADE).
 */
export async function deleteSubject(db: Db, id: string, actorId?: string): Promise<void> {
  const row = await db.query.subjects.findFirst({ where: eq(subjects.id, id) })
  if (!row) throw notFound(id)
  const childless = notExists(db.select({ one: sql`1` }).from(subjects).where(eq(subjects.parentId, id)))
  const [, deleted] = (await runBatch(db, [
    db
      .delete(bookSubjects)
      .where(
        and(
          eq(bookSubjects.subjectId, id),
          sql`not exists (select 1 from ${subjects} where ${subjects.parentId} = ${id})`,
        ),
      ),
    db
      .delete(subjects)
      .where(and(eq(subjects.id, id), childless))
      .returning({ id: subjects.id }),
    ...(actorId
      ? [
          auditStatement(
            db,
            actorId,
            'subject.delete',
            id,
            { before: auditedFields(row), after: null },
            notExists(db.select({ one: sql`1` }).from(subjects).where(eq(subjects.id, id))),
          ),
        ]
      : []),
  ])) as [unknown, { id: string }[]]
  if (deleted.length > 0) return
  const still = await db.query.subjects.findFirst({ columns: { id: true }, where: eq(subjects.id, id) })
  if (!still) throw notFound(id)
  throw new ApiError(409, {
    title: 'Subject has children',
    detail: 'Move or delete its child subjects first; a subject is deleted only when it is a leaf',
  })
}

/* ---- Filing books under subjects (used by the books feature and the catalogue import) ---- */

type SubjectAction = 'subject.create' | 'subject.update' | 'subject.delete'

const auditedFields = (row: Pick<SubjectRow, 'name' | 'slug' | 'parentId' | 'code'>) => ({
  name: row.name,
  slug: row.slug,
  parentId: row.parentId,
  code: row.code,
})

/**
 * The audit entry of an admin's taxonomy change, for the same batch as the change: inserted only if `applied`
 * holds after it, so a refused or lost compare-and-swap leaves no entry (OWASP ASVS 7.1.3: log security-relevant
 * admin actions).
 */
function auditStatement(
  db: Db,
  actorId: string,
  action: SubjectAction,
  subjectId: string,
  change: { before: Record<string, unknown> | null; after: Record<string, unknown> | null },
  applied: SQL,
): Statement {
  return insertWhen(
    db,
    auditLog,
    {
      id: randomId('aud'),
      actorId,
      action,
      targetType: 'subject',
      targetId: subjectId,
      before: change.before,
      after: change.after,
      createdAt: new Date(),
    },
    applied,
  )
}

const subjectExists = (db: Db, id: string, updatedAt?: Date) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(subjects)
      .where(and(eq(subjects.id, id), updatedAt ? eq(subjects.updatedAt, updatedAt) : undefined)),
  )

/** The ids among `ids` that name no subject. */
export async function unknownSubjectIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const found = await db
    .select({ id: subjects.id })
    .from(subjects)
    .where(inArray(subjects.id, [...ids]))
  const known = new Set(found.map((row) => row.id))
  return ids.filter((id) => !known.has(id))
}

/**
 * Statements that make `subjectIds` the book's complete filing, for the same batch as the book write: the old rows
 * go, one row per existing subject comes in, and nothing is inserted if the book does not exist. `onlyIf` makes
 * both depend on an earlier statement of the batch (a guarded book update that matched nothing changes nothing).
 */
export function fileBookStatements(
  db: Db,
  bookId: string,
  subjectIds: readonly string[],
  onlyIf?: SQL,
): Statement[] {
  const remove = db.delete(bookSubjects).where(and(eq(bookSubjects.bookId, bookId), onlyIf))
  if (subjectIds.length === 0) return [remove]
  const insert = db.insert(bookSubjects).select(
    db
      .select({ subjectId: subjects.id, bookId: sql<string>`${bookId}`.as('book_id') })
      .from(subjects)
      .where(
        and(
          inArray(subjects.id, [...subjectIds]),
          exists(db.select({ one: sql`1` }).from(books).where(eq(books.id, bookId))),
          onlyIf,
        ),
      ),
  )
  return [remove, insert]
}

/** The subjects of each book (by name), for book views: one indexed read over book_subjects_book_idx. */
export async function subjectsOfBooks(
  db: Db,
  bookIds: readonly string[],
): Promise<Map<string, SubjectRef[]>> {
  const byBook = new Map<string, SubjectRef[]>()
  if (bookIds.length === 0) return byBook
  const rows = await db
    .select({ bookId: bookSubjects.bookId, id: subjects.id, name: subjects.name, slug: subjects.slug })
    .from(bookSubjects)
    .innerJoin(subjects, eq(subjects.id, bookSubjects.subjectId))
    .where(inArray(bookSubjects.bookId, [...bookIds]))
  for (const row of rows.sort(byName)) {
    const list = byBook.get(row.bookId) ?? []
    list.push(toRef(row))
    byBook.set(row.bookId, list)
  }
  return byBook
}
