import { createRouter } from '../../http/router'
import * as handlers from './subjects.handlers'
import * as routes from './subjects.routes'

export const subjectsRouter = createRouter()
  .openapi(routes.listSubjects, handlers.listSubjects)
  .openapi(routes.getSubject, handlers.getSubject)
  .openapi(routes.createSubject, handlers.createSubject)
  .openapi(routes.updateSubject, handlers.updateSubject)
  .openapi(routes.deleteSubject, handlers.deleteSubject)

export { fileBookStatements, subjectsOfBooks, unknownSubjectIds } from './subject-filing'
export { inSubtree, subtreeRange } from './subject-paths'
export { findSubject } from './subjects.reads'
export {
  MAX_SUBJECTS_PER_BOOK,
  SubjectIdSchema,
  type SubjectRef,
  SubjectRefSchema,
  SubjectRefViewSchema,
} from './subjects.schemas'
