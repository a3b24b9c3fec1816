import type { AppRouteHandler } from '../../http/router'
import * as reads from './subjects.reads'
import type * as routes from './subjects.routes'
import * as service from './subjects.service'

const PUBLIC_CACHE = 'public, max-age=60, stale-while-revalidate=300'

export const listSubjects: AppRouteHandler<typeof routes.listSubjects> = async (c) => {
  const data = await reads.subjectTree(c.var.db)
  c.header('Cache-Control', PUBLIC_CACHE)
  return c.json({ data }, 200)
}

export const getSubject: AppRouteHandler<typeof routes.getSubject> = async (c) => {
  const subject = await reads.getSubject(c.var.db, c.req.valid('param').id)
  c.header('Cache-Control', PUBLIC_CACHE)
  return c.json(subject, 200)
}

export const createSubject: AppRouteHandler<typeof routes.createSubject> = async (c) => {
  const subject = await service.createSubject(c.var.db, c.req.valid('json'), c.var.user.id)
  c.header('Location', `/v1/subjects/${subject.id}`)
  return c.json(subject, 201)
}

export const updateSubject: AppRouteHandler<typeof routes.updateSubject> = async (c) => {
  const subject = await service.updateSubject(
    c.var.db,
    c.req.valid('param').id,
    c.req.valid('json'),
    c.var.user.id,
  )
  return c.json(subject, 200)
}

export const deleteSubject: AppRouteHandler<typeof routes.deleteSubject> = async (c) => {
  await service.deleteSubject(c.var.db, c.req.valid('param').id, c.var.user.id)
  return c.body(null, 204)
}
