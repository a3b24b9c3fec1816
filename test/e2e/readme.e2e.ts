// Docs as tests: every shell block of README.md marked `<!-- docs-test: <name> -->` runs as written, in bash with
// `set -euo pipefail`, against a fresh `npm run dev` in a fresh copy of the project (no .dev.vars, empty local D1),
// so a README that stops working fails CI. The blocks use `curl -fsS`, so an error status fails the block.
// `open URL` (macOS) is defined as a fetch of that URL that must succeed. The dev server listens on 8787 as the
// README says; DOCS_TEST_PORT=N moves it and rewrites `localhost:8787` in the blocks to match.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDevServer, PROJECT_ROOT } from './helpers/processes'

const PORT = Number(process.env.DOCS_TEST_PORT ?? 8787)
const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')

/** The marked blocks, in README order: `<!-- docs-test: name -->`, then a ```sh fence. */
function markedBlocks(markdown: string): { name: string; script: string }[] {
  const pattern = /<!-- docs-test: ([\w-]+) -->\s*\n```(?:sh|bash)\n([\s\S]*?)\n```/g
  return [...markdown.matchAll(pattern)].map((match) => ({ name: match[1]!, script: match[2]! }))
}

const PRELUDE = [
  'set -euo pipefail -x',
  // macOS `open` / Linux `xdg-open` on a URL: here, the page must answer 2xx.
  'open() { curl -fsS -o /dev/null "$1"; }',
  'xdg-open() { open "$1"; }',
].join('\n')

/** What a block's output must show, beyond every command succeeding (the README says so in a comment). */
const EXPECTED_OUTPUT: Record<string, RegExp[]> = {
  quickstart: [/"title":"Signals"/],
  commerce: [/"type":"payment_intent\.succeeded"[^\n]*"status":200/, /"status":"paid"/],
}

const blocks = markedBlocks(README)
let server: Awaited<ReturnType<typeof freshDevServer>>

beforeAll(async () => {
  server = await freshDevServer(PORT)
})
afterAll(async () => {
  await server?.stop()
})

describe('README.md, run as written', () => {
  it('marks the Quick start and the Commerce walkthrough for this test', () => {
    expect(blocks.map((block) => block.name)).toEqual(expect.arrayContaining(['quickstart', 'commerce']))
  })

  it('uses curl -f in every marked block, so an error status fails it', () => {
    for (const { name, script } of blocks) {
      const unchecked = script
        .split('\n')
        .filter((line) => /(^|[\s($|])curl\s/.test(line) && !/curl -f/.test(line))
      expect(unchecked, `block ${name}`).toEqual([])
    }
  })

  for (const { name, script } of blocks) {
    it(`runs the "${name}" block`, () => {
      const body = PORT === 8787 ? script : script.replaceAll('localhost:8787', `localhost:${PORT}`)
      const outcome = spawnSync('bash', ['-c', `${PRELUDE}\n${body}`], {
        cwd: server.dir,
        encoding: 'utf8',
        input: '',
        timeout: 180_000,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      })
      const transcript = `exit ${outcome.status}\n--- stdout\n${outcome.stdout}\n--- stderr (commands traced)\n${outcome.stderr}\n--- dev server\n${server.output().slice(-4000)}`
      expect(outcome.status, transcript).toBe(0)
      for (const expected of EXPECTED_OUTPUT[name] ?? []) expect(outcome.stdout, transcript).toMatch(expected)
    })
  }
})
