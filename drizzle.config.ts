import { defineConfig } from 'drizzle-kit'

// drizzle-kit only generates SQL here; wrangler (D1) and the libSQL migrator apply it.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
})
