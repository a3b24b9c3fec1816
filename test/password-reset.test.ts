import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { mailOutbox, oneTimeTokens } from '../src/db/schema'
import { mailTo, uniqueEmail } from './helpers/accounts'
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
