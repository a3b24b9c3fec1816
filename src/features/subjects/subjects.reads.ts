// Subject reads: the tree, one subject with its ancestors and children, and the lookup by id or slug.
import { asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type SubjectRow, subjects } from '../../db/schema'
import { ApiError } from '../../http/problem'
import type { Subject, SubjectRef } from './subjects.schemas'

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

export const notFound = (ref: string) =>
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
