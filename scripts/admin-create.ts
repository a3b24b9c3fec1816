// `npm run admin:create -- --email ops@example.com --password '…' [--name 'Ops']`: the first admin (or any
// admin) for the local D1 database. Admins are never created through the public API. An existing account with
// that email is promoted, its password left as it is.
//
// Production: `PASSWORD_PEPPER=<the production pepper> npm run admin:create -- --email … --password … --print-sql`
// prints one SQL statement to run with `npx wrangler d1 execute DB --remote --env production --command "…"`.
import { parseArgs } from 'node:util'
import { eq } from 'drizzle-orm'
import { users } from '../src/db/schema/index.ts'
import { EmailSchema, NameSchema, NewPasswordSchema } from '../src/features/auth/auth.schemas.ts'
import { randomId } from '../src/lib/ids.ts'
import { hashPassword } from '../src/lib/password.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { openLocalD1 } from './lib/local-d1.ts'
import { wrangler } from './lib/run.ts'

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string', default: 'Admin' },
    'print-sql': { type: 'boolean', default: false },
  },
})

function parsed<T>(
  label: string,
  result: { success: true; data: T } | { success: false; error: { issues: { message: string }[] } },
): T {
  if (result.success) return result.data
  throw new Error(`--${label}: ${result.error.issues.map((issue) => issue.message).join('; ')}`)
}

const email = parsed('email', EmailSchema.safeParse(values.email ?? ''))
const password = parsed('password', NewPasswordSchema.safeParse(values.password ?? ''))
const name = parsed('name', NameSchema.safeParse(values.name))
const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`

if (values['print-sql']) {
  const pepper = process.env.PASSWORD_PEPPER
  if (!pepper) throw new Error('--print-sql needs PASSWORD_PEPPER (the production pepper) in the environment')
  const now = Date.now()
  const hash = await hashPassword(password, pepper)
  console.log(
    'INSERT INTO users (id, email, name, phone, password_hash, role, email_verified_at, created_at, updated_at) ' +
      `VALUES (${sqlString(randomId('usr'))}, ${sqlString(email)}, ${sqlString(name)}, NULL, ${sqlString(hash)}, 'admin', ${now}, ${now}, ${now}) ` +
      `ON CONFLICT(email) DO UPDATE SET role = 'admin', updated_at = ${now};`,
  )
} else {
  const vars = await ensureDevVars()
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true })
  const local = await openLocalD1()
  const now = new Date()
  const [existing] = await local.db.select().from(users).where(eq(users.email, email))
  if (existing) {
    await local.db.update(users).set({ role: 'admin', updatedAt: now }).where(eq(users.id, existing.id))
    console.log(`[admin] ${email} (${existing.id}) is now an admin; password unchanged`)
  } else {
    const id = randomId('usr')
    const passwordHash = await hashPassword(password, vars.PASSWORD_PEPPER!)
    await local.db.insert(users).values({
      id,
      email,
      name,
      passwordHash,
      role: 'admin',
      emailVerifiedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    console.log(`[admin] created ${email} (${id}) as admin; sign in with POST /v1/auth/login`)
  }
  await local.dispose()
}
