import { and, eq, exists, gt, lt, notExists, type SQL, sql } from 'drizzle-orm'
import { insertWhen, runBatch, type Statement } from '../../db/batch'
import type { Db } from '../../db/client'
import { isUniqueViolation } from '../../db/errors'
import { auditLog, bookSubjects, type SubjectRow, subjects } from '../../db/schema'
import { ApiError } from '../../http/problem'
import { randomId } from '../../lib/ids'
import { childPath, slugify, subtreeRange } from './subject-paths'
import { notFound, toSubject } from './subjects.reads'
import {
  MAX_SUBJECT_DEPTH,
  MAX_SUBJECTS,
  type Subject,
  type SubjectCreate,
  type SubjectUpdate,
} from './subjects.schemas'

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
