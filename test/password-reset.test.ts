import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { mailOutbox, oneTimeTokens } from '../src/db/schema'
import { mailTo, PASSWORD, register, signedIn, tokenFromMail, uniqueEmail } from './helpers/accounts'
import { api } from './helpers/http'
import { createUser } from './helpers/tokens'

/** The second group of a D1 bookmark counts commits; libSQL has no bookmark. */
const commitsIn = (bookmark: string | null) => (bookmark ? Number.parseInt(bookmark.split('-')[1]!, 16) : 0)

/**
 * A response as an observer sees it, minus what differs on every request anyway: ids, dates, durations. The
 * bookmark becomes how far it moved past the one sent; Server-Timing keeps names and query counts.
 */
async function observe(email: string, bookmark: string | null) {
  const response = await api('POST', '/v1/auth/password-reset', {
    body: { email },
    headers: bookmark ? { 'X-D1-Bookmark': bookmark } : {},
  })
  const next = response.headers.get('X-D1-Bookmark')
  const headers = [...response.headers]
    .filter(([name]) => !['x-request-id', 'date', 'x-d1-bookmark'].includes(name))
    .map(([name, value]) => [name, value.replace(/dur=[\d.]+/g, 'dur=*').replace(/\br=\d+/g, 'r=*')])
  return {
    status: response.status,
    body: await response.text(),
    headers,
    commits: commitsIn(next) - commitsIn(bookmark),
    bookmark: next,
  }
}

describe('POST /v1/auth/password-reset: a known email looks like an unknown one', () => {
  it('same status, body, headers, query count and bookmark advance (both runtimes)', async () => {
    // A user row inserted directly: no other mail in flight that the queue consumer could write meanwhile.
    const known = await createUser()
    const email = `${known.id}@example.test`
    const start = await observe(uniqueEmail('nobody'), null)
    const unknown = await observe(uniqueEmail('nobody'), start.bookmark)
    const existing = await observe(email, unknown.bookmark)

    expect(existing.status).toBe(202)
    const { bookmark: _a, ...knownView } = existing
    const { bookmark: _b, ...unknownView } = unknown
    expect(knownView).toEqual(unknownView)
    const timing = existing.headers.find(([name]) => name === 'server-timing')?.[1]
    expect(timing).toContain('desc="1 queries"')
    if (harness.runtime === 'workerd') expect(existing.commits).toBe(1)

    // Control: the known email did get its reset link, the unknown one nothing.
    expect((await mailTo(email)).map((mail) => mail.subject)).toEqual(['Reset your password'])
    const [mail] = await harness.db().select().from(mailOutbox).where(eq(mailOutbox.to, email))
    expect(mail).toMatchObject({ userId: known.id, text: expect.stringMatching(/^Hello Test User,/) })
  })

  it('stays silent past 3 links an hour, with the same answer', async () => {
    const known = await createUser()
    const email = `${known.id}@example.test`
    const answers = []
    for (let attempt = 0; attempt < 4; attempt++) answers.push((await observe(email, null)).status)
    expect(answers).toEqual([202, 202, 202, 202])
    const tokens = await harness.db().select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, known.id))
    expect(tokens).toHaveLength(3)
    expect(await mailTo(email)).toHaveLength(3)
  })
})

describe('a password or email change revokes every link mailed before it', () => {
  const resetLink = async (email: string) => {
    expect((await api('POST', '/v1/auth/password-reset', { body: { email } })).status).toBe(202)
    return tokenFromMail(email, /reset your password/i)
  }
  const confirm = (token: string, newPassword = 'a brand new passphrase') =>
    api('POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword } })
  const verify = (token: string) => api('POST', '/v1/auth/verify-email', { body: { token } })

  it('an email change: the reset link mailed to the old address stops working', async () => {
    const { email, tokens } = await signedIn()
    const stale = await resetLink(email)
    const moved = await api('PATCH', '/v1/me', {
      token: tokens.accessToken,
      body: { email: uniqueEmail('moved'), password: PASSWORD },
    })
    expect(moved.status).toBe(200)
    expect((await confirm(stale)).status).toBe(400)
  })

  it('a password change: earlier reset and verification links stop working', async () => {
    const { email, tokens } = await signedIn()
    const stale = await resetLink(email)
    const verification = await tokenFromMail(email, /confirm your email/i)
    const changed = await api('POST', '/v1/me/password', {
      token: tokens.accessToken,
      body: { currentPassword: PASSWORD, newPassword: 'another fine passphrase' },
    })
    expect(changed.status).toBe(204)
    expect((await confirm(stale)).status).toBe(400)
    expect((await verify(verification)).status).toBe(400)
  })

  it('a password reset: the other reset links mailed before it stop working', async () => {
    const { email } = await register()
    const first = await resetLink(email)
    const second = await resetLink(email)
    expect(first).not.toBe(second)
    expect((await confirm(second)).status).toBe(204)
    expect((await confirm(first, 'yet another passphrase')).status).toBe(400)
  })

  it('control: without a change, an earlier link still works', async () => {
    const { email } = await register()
    const first = await resetLink(email)
    await resetLink(email)
    expect((await confirm(first)).status).toBe(204)
  })
})
