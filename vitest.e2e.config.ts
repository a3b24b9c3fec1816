import { defineConfig } from 'vitest/config'

/**
 * End-to-end checks outside `npm test` (they start real servers and processes, so they are slower):
 * `npm run test:browser` (Chromium against `npm run dev`), `npm run test:scripts` (what each script prints) and
 * `npm run docs:test` (the README's blocks run as written). Each npm script names its own file.
 */
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
})
