// Runs the project's pinned wrangler under the project's pinned Node (npm puts node_modules/.bin first on PATH),
// with telemetry off and the offline `Request.cf` fetch disabled. `npm run db:migrate`, `deploy` and friends use it.
import { spawnSync } from 'node:child_process'

const result = spawnSync('wrangler', process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
})
process.exit(result.status ?? 1)
