// `npm run admin:create -- --email ops@example.com [--name 'Ops']`: the first admin (or any admin) for the local D1
// database. The password is asked on the terminal (not echoed), or read from stdin with --password-stdin:
//   printf '%s' 'a long admin passphrase' | npm run -s admin:create -- --email ops@example.com --password-stdin
// (--password '…' still works, but puts the password in the shell history and npm's echo of the command.)
// Admins are never created through the public API. An existing account with that email is promoted, its password
// left as it is (none is asked).
//
// Production: `PASSWORD_PEPPER=<the production pepper> npm run -s admin:create -- --email … --password-stdin
// --print-sql` prints one SQL statement to run with `npx wrangler d1 execute DB --remote --env production --command "…"`.
import { parseArgs } from 'node:util'
import { eq } from 'drizzle-orm'
import { users } from '../src/db/schema/index.ts'
import { EmailSchema, NameSchema, NewPasswordSchema } from '../src/features/auth/auth.schemas.ts'
import { randomId } from '../src/lib/ids.ts'
import { hashPassword } from '../src/lib/password.ts'
import { CliError, promptHidden, readStdin, result, runCli } from './lib/cli.ts'
import { ensureDevVars } from './lib/dev-vars.ts'
import { openLocalD1 } from './lib/local-d1.ts'
import { wrangler } from './lib/run.ts'

function parsed<T>(
  label: string,
  outcome: { success: true; data: T } | { success: false; error: { issues: { message: string }[] } },
): T {
  if (outcome.success) return outcome.data
  throw new CliError(`--${label}: ${outcome.error.issues.map((issue) => issue.message).join('; ')}`)
}

await runCli('admin:create', async () => {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      name: { type: 'string', default: 'Admin' },
      'print-sql': { type: 'boolean', default: false },
    },
  })
  if (values.password !== undefined && values['password-stdin'])
    throw new CliError('pass either --password or --password-stdin, not both')
  const email = parsed('email', EmailSchema.safeParse(values.email ?? ''))
  const name = parsed('name', NameSchema.safeParse(values.name))

  /** Asked only when an account is created: a promotion keeps the account's password. */
  async function newPassword(): Promise<string> {
    let password = values.password
    if (password === undefined && values['password-stdin']) password = await readStdin()
    if (password === undefined) {
      password = await promptHidden(`Password for ${email}: `)
      if ((await promptHidden('Repeat it: ')) !== password) throw new CliError('the two passwords differ')
    }
    return parsed('password', NewPasswordSchema.safeParse(password))
  }
  const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`

  if (values['print-sql']) {
    const pepper = process.env.PASSWORD_PEPPER
    if (!pepper)
      throw new CliError('--print-sql needs PASSWORD_PEPPER (the production pepper) in the environment')
    const now = Date.now()
    const hash = await hashPassword(await newPassword(), pepper)
    result(
      'INSERT INTO users (id, email, name, phone, password_hash, role, email_verified_at, created_at, updated_at) ' +
        `VALUES (${sqlString(randomId('usr'))}, ${sqlString(email)}, ${sqlString(name)}, NULL, ${sqlString(hash)}, 'admin', ${now}, ${now}, ${now}) ` +
        `ON CONFLICT(email) DO UPDATE SET role = 'admin', updated_at = ${now};`,
    )
    return
  }
  const vars = await ensureDevVars()
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true })
  const local = await openLocalD1()
  try {
    const now = new Date()
    const [existing] = await local.db.select().from(users).where(eq(users.email, email))
    if (existing) {
      await local.db.update(users).set({ role: 'admin', updatedAt: now }).where(eq(users.id, existing.id))
      result(`${email} (${existing.id}) is now an admin; password unchanged`)
      return
    }
    const id = randomId('usr')
    const passwordHash = await hashPassword(await newPassword(), vars.PASSWORD_PEPPER!)
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
    result(`created ${email} (${id}) as admin; sign in with POST /v1/auth/login`)
  } finally {
    await local.dispose()
  }
})
