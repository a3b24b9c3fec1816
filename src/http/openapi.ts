import type { z } from '@hono/zod-openapi'

/**
 * A JSON response with a schema. Only JSON is declared here, so the typed `hc` client sees the body type;
 * `withXmlVariants` (src/http/schemas.ts) adds the XML twin to the published document.
 */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})
