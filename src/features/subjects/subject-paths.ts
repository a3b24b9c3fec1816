import { and, gte, lt, type SQL } from 'drizzle-orm'
import { subjects } from '../../db/schema'

/**
 * Materialised paths (`/sb_a/sb_b/`): a subject and its descendants are exactly the paths starting with its own,
 * which is the half-open range [path, path with its final `/` raised to `0`), `/` and `0` being neighbours in
 * ASCII. A range, unlike `LIKE 'prefix%'`, is one seek on subjects_path_idx whatever the collation.
 */
export function subtreeRange(path: string): { from: string; to: string } {
  return { from: path, to: `${path.slice(0, -1)}0` }
}

/** `subjects.path` within the subtree of `path` (the subject itself included). */
export function inSubtree(path: string): SQL {
  const { from, to } = subtreeRange(path)
  return and(gte(subjects.path, from), lt(subjects.path, to))!
}

export const childPath = (parentPath: string | null, id: string) => `${parentPath ?? '/'}${id}/`

/** A slug from a name: ASCII letters and digits, accents dropped, everything else one hyphen. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')
}
