import { spawnSync } from 'node:child_process'

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: 'true',
}

/** Runs the project's wrangler (node_modules/.bin is on PATH under npm run) and fails loudly. */
export function wrangler(args: string[], options: { quiet?: boolean } = {}): void {
  const result = spawnSync('wrangler', args, {
    stdio: options.quiet ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    env: { ...process.env, ...WRANGLER_ENV },
  })
  if (result.status !== 0) {
    if (options.quiet && result.stdout) process.stdout.write(result.stdout)
    throw new Error(`wrangler ${args.join(' ')} exited with ${result.status}`)
  }
}
