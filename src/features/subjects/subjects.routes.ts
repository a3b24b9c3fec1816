import { createRoute, z } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { publicRoute } from '../../http/policy'
import { pick } from '../../http/schemas'
import { admin } from '../auth'
import {
  SubjectCreateSchema,
  SubjectDetailSchema,
  SubjectIdSchema,
  SubjectRefSchema,
  SubjectSchema,
  SubjectTreeSchema,
  SubjectUpdateSchema,
} from './subjects.schemas'

const tags = ['Subjects']
const subjectIdParam = z.object({ id: SubjectIdSchema.openapi({ param: { name: 'id', in: 'path' } }) })

export const listSubjects = createRoute({
  operationId: 'listSubjects',
  method: 'get',
  path: '/subjects',
  ...publicRoute({ cache: true }),
  tags,
  summary: 'The subject taxonomy',
  description: 'Every subject, in tree order. Filter books by one with `GET /v1/books?subject={id or slug}`.',
  responses: {
    200: jsonContent(SubjectTreeSchema, 'The taxonomy'),
    ...pick(429, 500),
  },
})

export const getSubject = createRoute({
  operationId: 'getSubject',
  method: 'get',
  path: '/subjects/{id}',
  ...publicRoute({ cache: true }),
  tags,
  summary: 'Get one subject, by id or slug',
  request: { params: z.object({ id: SubjectRefSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: jsonContent(SubjectDetailSchema, 'The subject, its ancestors and its children'),
    ...pick(400, 404, 429, 500),
  },
})

export const createSubject = createRoute({
  operationId: 'createSubject',
  method: 'post',
  path: '/subjects',
  tags,
  summary: 'Add a subject (admin)',
  // Catalog writes check the live session and take the role from the database (OWASP API5).
  ...admin(),
  request: { body: jsonBody(SubjectCreateSchema) },
  responses: {
    201: {
      ...jsonContent(SubjectSchema, 'Created'),
      headers: z.object({ Location: z.string().openapi({ description: 'URL of the new subject' }) }),
    },
    ...pick(400, 401, 403, 409, 413, 415, 422, 429, 500),
  },
})

export const updateSubject = createRoute({
  operationId: 'updateSubject',
  method: 'patch',
  path: '/subjects/{id}',
  tags,
  summary: 'Rename or move a subject (admin)',
  description:
    'Moving a subject moves its descendants with it, in one batch. A move under the subject itself or one of ' +
    'its descendants is refused (422).',
  ...admin(),
  request: { params: subjectIdParam, body: jsonBody(SubjectUpdateSchema) },
  responses: {
    200: jsonContent(SubjectSchema, 'The updated subject'),
    ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429, 500),
  },
})

export const deleteSubject = createRoute({
  operationId: 'deleteSubject',
  method: 'delete',
  path: '/subjects/{id}',
  tags,
  summary: 'Remove a subject (admin)',
  description:
    'Only a subject without children can be deleted (409 otherwise: move or delete them first). Books filed ' +
    'under it lose that subject; the books themselves stay.',
  ...admin(),
  request: { params: subjectIdParam },
  responses: {
    204: { description: 'Deleted' },
    ...pick(400, 401, 403, 404, 409, 429, 500),
  },
})
