// `npx tsx scripts/profile.ts [--books 10000] [--samples 2000] [--only <substring>]`
// A quick CPU probe of the app in Node, for working on its cost (the full figures come from `npm run bench`): each
// class is sent through `app.request` over a libSQL file, with `process.cpuUsage()` deltas per request. Prints app
// CPU (total minus the `db` Server-Timing share, since SQLite runs in this process), and the D1 round trips the
// answer reports. For a profile: `npx node --import tsx --cpu-prof --cpu-prof-dir .tmp/prof scripts/profile.ts --only me`.
import { mkdirSync } from 'node:fs'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { Hono } from 'hono'
import { createApp } from '../src/app.ts'
import { type Db, getLibsqlClient } from '../src/db/client.ts'
import * as schema from '../src/db/schema/index.ts'
import { countBooks, seedGeneratedCatalog } from '../src/db/seed/index.ts'
import { signStripePayload } from '../src/features/payments/webhook-signature.ts'
import { installMemoryCache } from './lib/bench-cpu.ts'
import { readConfigVars } from './lib/bench-system.ts'
import { ensureDevVars } from './lib/dev-vars.ts'

const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback
}
const books = Number(option('books', '10000'))
const samples = Number(option('samples', '2000'))
const only = option('only', '')
/** Rounds over every class; the least CPU per class is reported (the machine's other load only ever adds). */
const rounds = Number(option('rounds', '3'))

async function openDatabase(): Promise<string> {
  mkdirSync('.wrangler/bench-state', { recursive: true })
  const url = `file:.wrangler/bench-state/profile-${books}.db`
  const client = createClient({ url })
  try {
    await migrate(drizzle(client), { migrationsFolder: './drizzle' })
  } finally {
    client.close()
  }
  const db = drizzle(getLibsqlClient(url), { schema }) as unknown as Db
  if ((await countBooks(db)) < books) await seedGeneratedCatalog(db, books)
  return url
}

const secrets = await ensureDevVars()
const vars: Record<string, string> = {
  ...readConfigVars('wrangler.toml'),
  ...secrets,
  // Production-like, as the bench configures it.
  CATALOG_VERSION_TTL_SECONDS: '5',
}
const env = { ...vars, LIBSQL_URL: await openDatabase() }
installMemoryCache()
const app = createApp({ benchMode: true })
const context = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} }
const send = async (path: string, init?: RequestInit): Promise<Response> =>
  app.request(path, init, env, context as unknown as ExecutionContext)
const bare = new Hono().get('/_bench/static', (c) => c.text('ok'))

const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
})
const email = `profile-${crypto.randomUUID().slice(0, 8)}@example.com`
const password = 'profile: violet harbour lantern 4711'
await send('/v1/auth/register', json('POST', { email, password, name: 'Profile' }))
const login = await send('/v1/auth/login', json('POST', { email, password }))
const { accessToken } = (await login.json()) as { accessToken: string }
const auth = { Authorization: `Bearer ${accessToken}` }
const first = (await (await send('/v1/books?limit=1')).json()) as { data: { id: string }[] }
const bookId = first.data[0]!.id
const noStore = { 'Cache-Control': 'no-store' }

type ProbeClass = { name: string; run: () => Promise<Response>; samples?: number }
const classes: ProbeClass[] = [
  { name: 'bare hono', run: async () => bare.request('/_bench/static') },
  { name: 'static (global middleware)', run: () => send('/_bench/static') },
  { name: 'health', run: () => send('/health') },
  { name: 'page 1 cached', run: () => send('/v1/books') },
  { name: 'book cached', run: () => send(`/v1/books/${bookId}`) },
  { name: 'page 1 uncached', run: () => send('/v1/books', { headers: noStore }) },
  {
    name: 'search quiet harbour',
    run: () => send('/v1/books?q=quiet%20harbour', { headers: noStore }),
  },
  { name: 'filter fr inStock', run: () => send('/v1/books?language=fr&inStock=true', { headers: noStore }) },
  { name: 'book uncached', run: () => send(`/v1/books/${bookId}`, { headers: noStore }) },
  { name: 'me', run: () => send('/v1/me', { headers: auth }) },
  { name: 'login', run: () => send('/v1/auth/login', json('POST', { email, password })), samples: 5 },
]

const dbMsOf = (response: Response) =>
  Number(response.headers.get('Server-Timing')?.match(/(?:^|,\s*)db;dur=([\d.]+)/)?.[1] ?? 0)
const queriesOf = (response: Response) =>
  Number(response.headers.get('Server-Timing')?.match(/db;[^,]*desc="(\d+) quer/)?.[1] ?? 0)

const print = console.log
console.log = () => {}
type Measured = { status: number; queries: number; cpuMs: number; dbMs: number }
const best = new Map<string, Measured>()
const selected = classes.filter((probe) => !only || probe.name.includes(only))
if (selected.length === 0) {
  console.error(
    `profile: no class label contains "${only}"; labels: ${classes.map((probe) => probe.name).join(', ')}`,
  )
  process.exit(1)
}
for (let round = 0; round < rounds; round++) {
  for (const probe of selected) {
    const n = probe.samples ?? samples
    let status = 0
    let queries = 0
    for (let i = 0; i < Math.min(200, n); i++) {
      const response = await probe.run()
      await response.arrayBuffer()
      status = response.status
      queries = queriesOf(response)
    }
    let dbMs = 0
    const before = process.cpuUsage()
    for (let i = 0; i < n; i++) {
      const response = await probe.run()
      await response.arrayBuffer()
      dbMs += dbMsOf(response)
    }
    const used = process.cpuUsage(before)
    const measured = { status, queries, cpuMs: (used.user + used.system) / 1000 / n, dbMs: dbMs / n }
    const previous = best.get(probe.name)
    if (!previous || measured.cpuMs - measured.dbMs < previous.cpuMs - previous.dbMs)
      best.set(probe.name, measured)
  }
}
// One checkout (cart → order → Stripe's success webhook): the D1 round trips of each step.
const stocked = (await (
  await send('/v1/books?inStock=true&sort=price&order=desc&limit=20', { headers: noStore })
).json()) as { data: { id: string; stock: number }[] }
const target = stocked.data.find((book) => book.stock >= 10)!.id
const steps: [string, () => Promise<Response>][] = [
  ['checkout: PUT cart item', () => send(`/v1/me/cart/items/${target}`, json('PUT', { quantity: 1 }, auth))],
  [
    'checkout: POST /v1/orders',
    () =>
      send(
        '/v1/orders',
        json(
          'POST',
          {
            address: {
              name: 'Profile',
              line1: '1 Load Street',
              city: 'London',
              postalCode: 'SW1A 1AA',
              country: 'GB',
            },
          },
          { ...auth, 'Idempotency-Key': crypto.randomUUID() },
        ),
      ),
  ],
]
const trips: string[] = []
let intentId = ''
for (const [name, step] of steps) {
  const response = await step()
  const body = (await response.json()) as { payment?: { intentId: string } }
  intentId ||= body.payment?.intentId ?? ''
  trips.push(`${name.padEnd(28)} ${String(response.status).padStart(4)}  round trips ${queriesOf(response)}`)
}
const payload = JSON.stringify({
  id: `evt_profile_${crypto.randomUUID().replace(/-/g, '')}`,
  type: 'payment_intent.succeeded',
  data: { object: { id: intentId } },
})
const webhook = await send('/v1/webhooks/stripe', {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    'Stripe-Signature': await signStripePayload(vars.STRIPE_WEBHOOK_SECRET ?? '', payload),
  },
  body: payload,
})
trips.push(
  `${'checkout: webhook'.padEnd(28)} ${String(webhook.status).padStart(4)}  round trips ${queriesOf(webhook)}`,
)
console.log = print
console.log(trips.join('\n'))
for (const [name, { status, queries, cpuMs, dbMs }] of best) {
  const app = Math.max(0, cpuMs - dbMs)
  console.log(
    `${name.padEnd(28)} ${String(status).padStart(4)}  cpu ${cpuMs.toFixed(3)} ms  db ${dbMs.toFixed(3)} ms  app ${app.toFixed(3)} ms  round trips ${queries}`,
  )
}
