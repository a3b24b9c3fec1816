import { spawnSync } from 'node:child_process'
import { CliError } from './cli.ts'

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: 'true',
}

/**
 * Runs the project's wrangler (node_modules/.bin is on PATH under npm run) as a step of a script. Its output is a
 * diagnostic, so it goes to stderr (stdout is the calling script's result); `quiet` keeps it unless the step fails.
 */
export function wrangler(args: string[], options: { quiet?: boolean } = {}): void {
  const result = spawnSync('wrangler', args, {
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['inherit', process.stderr, process.stderr],
    env: { ...process.env, ...WRANGLER_ENV },
  })
  if (result.status !== 0) {
    if (options.quiet) {
      if (result.stdout) process.stderr.write(result.stdout)
      if (result.stderr) process.stderr.write(result.stderr)
    }
    throw new CliError(`wrangler ${args.join(' ')} exited with ${result.status ?? result.signal}`)
  }
}
