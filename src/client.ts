import { type ClientRequestOptions, hc } from 'hono/client'
import type { AppType } from './app'

/**
 * The typed client a frontend uses: `const api = hcFolio('https://api.folio.example')`, then
 * `await api.v1.books.$get({ query: { limit: '10' } })`. Paths, parameters, bodies and answers are typed from the
 * route definitions. Outside this repository use the build of this file (`npm run client:build` → dist/client),
 * whose types need nothing but `hono`: scripts/client.ts writes them out in full.
 */
export const hcFolio = (baseUrl: string, options?: ClientRequestOptions) => hc<AppType>(baseUrl, options)

export type FolioClient = ReturnType<typeof hcFolio>
