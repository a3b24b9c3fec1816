import { z } from '@hono/zod-openapi'

/** Caps that keep the taxonomy and one book's filing bounded (OWASP API4: unrestricted resource consumption). */
export const MAX_SUBJECTS = 5000
export const MAX_SUBJECT_DEPTH = 8
export const MAX_SUBJECTS_PER_BOOK = 50

export const SubjectIdSchema = z
  .string()
  .regex(/^sb_[0-9a-z]{26}$/, 'Not a subject id')
  .openapi({ example: 'sb_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

/** A subject id (`sb_…`) or its slug (`fantasy`): public reads and the books filter accept either. */
export const SubjectRefSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[0-9a-z_-]+$/, 'A subject id (sb_…) or slug')
  .openapi({ example: 'fantasy' })

const slugInput = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single hyphens, e.g. "science-fiction"')

const codeInput = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9.]{1,20}$/, 'A BISAC (e.g. FIC009000) or Thema (e.g. FMB) code'))
  .openapi({ description: 'BISAC or Thema subject code, unique', example: 'FIC009000' })

const nameInput = z.string().trim().min(1).max(100)

export const SubjectCreateSchema = z
  .strictObject({
    name: nameInput.openapi({ example: 'Fantasy' }),
    slug: slugInput
      .optional()
      .openapi({ description: 'Unique across the taxonomy; derived from the name when absent' }),
    parentId: SubjectIdSchema.optional().openapi({ description: 'Absent: a top-level subject' }),
    code: codeInput.optional(),
  })
  .openapi('SubjectCreate')

export const SubjectUpdateSchema = z
  .strictObject({
    name: nameInput.openapi({ description: 'Renaming keeps the slug unless a new one is sent' }),
    slug: slugInput,
    parentId: SubjectIdSchema.nullable().openapi({
      description: 'Move the subject (with its descendants) under another parent; null: to the top level',
    }),
    code: codeInput.nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change')
  .openapi('SubjectUpdate')

export const SubjectRefViewSchema = z
  .object({
    id: z.string().openapi({ example: 'sb_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
    name: z.string().openapi({ example: 'Fantasy' }),
    slug: z.string().openapi({ example: 'fantasy' }),
  })
  .openapi('SubjectRef')

export const SubjectSchema = z
  .object({
    id: z.string().openapi({ example: 'sb_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
    name: z.string().openapi({ example: 'Fantasy' }),
    slug: z.string().openapi({ example: 'fantasy' }),
    parentId: z.string().nullable(),
    depth: z.number().int().openapi({ description: '0 for a top-level subject' }),
    code: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Subject')

export const SubjectDetailSchema = SubjectSchema.extend({
  ancestors: z.array(SubjectRefViewSchema).openapi({ description: 'From the top level down (a breadcrumb)' }),
  children: z.array(SubjectRefViewSchema).openapi({ description: 'Direct children, by name' }),
}).openapi('SubjectDetail')

export const SubjectTreeSchema = z
  .object({
    data: z.array(SubjectSchema).openapi({
      description:
        'Every subject in tree order (depth first, siblings by name): a subject comes right before its ' +
        'descendants, so `depth` and `parentId` are enough to draw the tree',
    }),
  })
  .openapi('SubjectTree')

export type SubjectCreate = z.output<typeof SubjectCreateSchema>
export type SubjectUpdate = z.output<typeof SubjectUpdateSchema>
export type Subject = z.output<typeof SubjectSchema>
export type SubjectRef = z.output<typeof SubjectRefViewSchema>
