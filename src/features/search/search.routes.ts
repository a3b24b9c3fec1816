import { createRoute } from '@hono/zod-openapi'
import { jsonContent } from '../../http/openapi'
import { publicRoute } from '../../http/policy'
import { pick } from '../../http/schemas'
import { admin } from '../auth'
import {
  SearchMissesQuerySchema,
  SearchMissListSchema,
  SuggestionsSchema,
  SuggestQuerySchema,
} from './search.schemas'

export const suggest = createRoute({
  operationId: 'suggestSearch',
  method: 'get',
  path: '/search/suggest',
  ...publicRoute({ cache: { query: SuggestQuerySchema } }),
  tags: ['Search'],
  summary: 'As-you-type suggestions: titles, authors and subjects',
  description:
    'The last word matches as a prefix (`tol` → Tolkien). Each kind reads a fixed window of the index, so the cost ' +
    'does not grow with the catalog; answers are cached at the edge by catalog version.',
  request: { query: SuggestQuerySchema },
  responses: {
    200: jsonContent(SuggestionsSchema, 'Suggestions, best first'),
    ...pick(400, 429, 500),
  },
})

export const listSearchMisses = createRoute({
  operationId: 'adminListSearchMisses',
  method: 'get',
  path: '/admin/search/misses',
  ...admin(),
  tags: ['Admin: search'],
  summary: 'Searches that found nothing, most frequent first',
  description:
    'Counted per normalised query (words, case and accents folded) after the typo fallback; who searched is not ' +
    'stored. A search answered from the edge cache is not counted again. At most 10,000 distinct queries are ' +
    'kept; the cron drops those unseen for 90 days and all but the 5,000 most frequent.',
  request: { query: SearchMissesQuerySchema },
  responses: {
    200: jsonContent(SearchMissListSchema, 'A page of misses'),
    ...pick(400, 401, 403, 429, 500),
  },
})
