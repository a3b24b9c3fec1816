import { chunks } from '../../lib/chunks'
import type { Db } from '../client'
import { bookSubjects, subjects } from '../schema'

/** A small fixed taxonomy for generated catalogs (benchmarks, query-plan tests): 5 top-level subjects × 4 children. */
const TAXONOMY: [string, string[]][] = [
  ['Fiction', ['Fantasy', 'Crime', 'Romance', 'Historical Fiction']],
  ['Science', ['Physics', 'Biology', 'Astronomy', 'Mathematics']],
  ['History', ['Ancient History', 'Modern History', 'Military History', 'Biography']],
  ['Arts', ['Music', 'Painting', 'Photography', 'Architecture']],
  ['Travel', ['Europe', 'Asia', 'Africa', 'The Americas']],
]

const subjectId = (index: number) => `sb_gen${String(index).padStart(23, '0')}`

type SubjectSeed = typeof subjects.$inferInsert

/** The generated taxonomy's rows (deterministic ids `sb_gen…`), parents first. */
export function generatedSubjects(now = Date.UTC(2026, 0, 1)): SubjectSeed[] {
  const rows: SubjectSeed[] = []
  const at = new Date(now)
  TAXONOMY.forEach(([root, children], rootIndex) => {
    const rootId = subjectId(rootIndex * 10)
    const rootPath = `/${rootId}/`
    rows.push({
      id: rootId,
      name: root,
      slug: slug(root),
      parentId: null,
      path: rootPath,
      depth: 0,
      createdAt: at,
      updatedAt: at,
    })
    children.forEach((child, childIndex) => {
      const id = subjectId(rootIndex * 10 + childIndex + 1)
      rows.push({
        id,
        name: child,
        slug: slug(child),
        parentId: rootId,
        path: `${rootPath}${id}/`,
        depth: 1,
        createdAt: at,
        updatedAt: at,
      })
    })
  })
  return rows
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-')

/** The leaves generated book `index` is filed under: one, and a second for every third book. */
export function generatedFiling(index: number): string[] {
  const leaves = generatedSubjects()
    .filter((row) => row.depth === 1)
    .map((row) => row.id)
  const first = leaves[index % leaves.length]!
  const second = leaves[(index * 7 + 3) % leaves.length]!
  return index % 3 === 0 && second !== first ? [first, second] : [first]
}

/** Seeds the taxonomy and files generated books 0..total-1 under it; rows already there are kept. */
export async function seedGeneratedFilings(db: Db, bookIds: string[]): Promise<void> {
  // D1 binds at most 100 parameters per statement.
  const subjectInserts = chunks(generatedSubjects(), 10).map((chunk) =>
    db.insert(subjects).values(chunk).onConflictDoNothing(),
  )
  const filings = bookIds.flatMap((bookId, index) =>
    generatedFiling(index).map((subjectId) => ({ subjectId, bookId })),
  )
  const filingInserts = chunks(filings, 45).map((chunk) =>
    db.insert(bookSubjects).values(chunk).onConflictDoNothing(),
  )
  for (const [first, ...rest] of chunks([...subjectInserts, ...filingInserts], 50)) {
    if (first) await db.batch([first, ...rest])
  }
}

/** The demo catalog's taxonomy (npm run dev), so subjects, `?subject=` and facets have something to show. */
const DEMO_TAXONOMY: [string, string[]][] = [
  ['Fiction', ['Classics', 'Fantasy', 'Science Fiction', 'Crime']],
  ['Non-fiction', ['Psychology', 'History', 'Computing']],
]

/** Demo books by title → the leaves they are filed under. */
const DEMO_FILING: Record<string, string[]> = {
  'Pride and Prejudice': ['Classics'],
  Emma: ['Classics'],
  'Crime and Punishment': ['Classics', 'Crime'],
  'To Kill a Mockingbird': ['Classics'],
  'Nineteen Eighty-Four': ['Classics', 'Science Fiction'],
  'One Hundred Years of Solitude': ['Classics'],
  'Cien años de soledad': ['Classics'],
  "L'Étranger": ['Classics'],
  'Der Prozess': ['Classics'],
  'The Hobbit': ['Fantasy'],
  'The Fellowship of the Ring': ['Fantasy'],
  'A Game of Thrones': ['Fantasy'],
  Dune: ['Science Fiction'],
  'The Name of the Wind': ['Fantasy'],
  'Good Omens': ['Fantasy'],
  'Thinking, Fast and Slow': ['Psychology'],
  Sapiens: ['History'],
  'The Pragmatic Programmer': ['Computing'],
  'Clean Code': ['Computing'],
  'Designing Data-Intensive Applications': ['Computing'],
  'Il nome della rosa': ['Classics', 'Crime'],
  'Dom Casmurro': ['Classics'],
}

/** Seeds the demo taxonomy (deterministic ids `sb_demo…`) and files the demo books under it. */
export async function seedDemoFilings(db: Db, books: { id: string; title: string }[], now = new Date()) {
  const rows: SubjectSeed[] = []
  const idOf = new Map<string, string>()
  DEMO_TAXONOMY.forEach(([root, children], rootIndex) => {
    const rootId = `sb_demo${String(rootIndex * 10).padStart(22, '0')}`
    idOf.set(root, rootId)
    rows.push({
      id: rootId,
      name: root,
      slug: slug(root),
      parentId: null,
      path: `/${rootId}/`,
      depth: 0,
      createdAt: now,
      updatedAt: now,
    })
    children.forEach((child, childIndex) => {
      const id = `sb_demo${String(rootIndex * 10 + childIndex + 1).padStart(22, '0')}`
      idOf.set(child, id)
      rows.push({
        id,
        name: child,
        slug: slug(child),
        parentId: rootId,
        path: `/${rootId}/${id}/`,
        depth: 1,
        createdAt: now,
        updatedAt: now,
      })
    })
  })
  const filings = books.flatMap((book) =>
    (DEMO_FILING[book.title] ?? []).map((name) => ({ subjectId: idOf.get(name)!, bookId: book.id })),
  )
  const statements = [
    ...chunks(rows, 10).map((chunk) => db.insert(subjects).values(chunk).onConflictDoNothing()),
    ...chunks(filings, 45).map((chunk) => db.insert(bookSubjects).values(chunk).onConflictDoNothing()),
  ]
  const [first, ...rest] = statements
  if (first) await db.batch([first, ...rest])
}
