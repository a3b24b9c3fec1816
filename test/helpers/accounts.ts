import { eq } from 'drizzle-orm'
import { harness } from '#harness'
import { users } from '../../src/db/schema'
import { api, json } from './http'

export const PASSWORD = 'a long enough passphrase'

export function uniqueEmail(prefix = 'reader'): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}@example.com`
}

/** A random client IP per test, so the per-IP login limit of one test never touches another. */
export function uniqueIp(): string {
  const [a, b, c] = crypto.getRandomValues(new Uint8Array(3))
  return `10.${a}.${b}.${c}`
}

export function client(ip: string, userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Firefox/130.0') {
  return { 'cf-connecting-ip': ip, 'User-Agent': userAgent }
}

export async function register(overrides: Record<string, unknown> = {}) {
  const body = { email: uniqueEmail(), password: PASSWORD, name: 'Test Reader', ...overrides }
  const response = await api('POST', '/v1/auth/register', { body })
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`)
  return { email: body.email as string, password: body.password as string, user: await json(response) }
}

export function login(email: string, password: string, headers: Record<string, string> = client(uniqueIp())) {
  return api('POST', '/v1/auth/login', { body: { email, password }, headers })
}

export type Tokens = { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number }

/** A registered, signed-in customer (or admin): its credentials and a token pair. */
export async function signedIn(options: { role?: 'customer' | 'admin'; ip?: string } = {}) {
  const account = await register()
  if (options.role === 'admin') {
    await harness.db().update(users).set({ role: 'admin' }).where(eq(users.id, account.user.id))
  }
  const ip = options.ip ?? uniqueIp()
  const response = await login(account.email, account.password, client(ip))
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`)
  return { ...account, ip, tokens: (await json(response)) as Tokens }
}

type DevMail = { to: string; subject: string; text: string; links: string[]; status: string }

/** The mail sent to an address, newest first (GET /_dev/mail). */
export async function mailTo(to: string): Promise<DevMail[]> {
  const response = await api('GET', `/_dev/mail?to=${encodeURIComponent(to)}`)
  if (response.status !== 200) throw new Error(`dev mail failed: ${response.status}`)
  return (await json(response)).data
}

/** The `token` query parameter of the newest link in the newest mail with this subject. */
export async function tokenFromMail(to: string, subject: RegExp): Promise<string> {
  const mail = (await mailTo(to)).find((item) => subject.test(item.subject))
  const link = mail?.links[0]
  if (!link) throw new Error(`no "${subject}" mail to ${to}`)
  return new URL(link).searchParams.get('token')!
}
