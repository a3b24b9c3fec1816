import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { harness } from '#harness'
import { createApp } from '../src/app'
import { getConfig } from '../src/config'
import { mailOutbox } from '../src/db/schema'
import type { MailQueueMessage } from '../src/env'
import { handleMailQueue, outboxInsert, sweepMail } from '../src/features/mail'
import { enqueueMail } from '../src/features/mail/mail.dispatch'
import { deliverMail, dueMailIds, MAX_MAIL_ATTEMPTS } from '../src/features/mail/mail.service'
import { httpMailTransport, type MailTransport } from '../src/features/mail/mail.transports'
import { mailTo, register, uniqueEmail } from './helpers/accounts'
import { api, json } from './helpers/http'

const failing: MailTransport = { send: () => Promise.reject(new Error('provider down')) }
const recording = () => {
  const sent: string[] = []
  return {
    sent,
    transport: { send: async (mail: { to: string }) => void sent.push(mail.to) } satisfies MailTransport,
  }
}

async function queuedMail(to = uniqueEmail('mail')) {
  const db = harness.db()
  const { id, statement } = outboxInsert(db, {
    userId: null,
    to,
    subject: 'Hello',
    text: 'Visit https://folio.example/a?token=1',
  })
  await statement
  return { db, id, to }
}

const row = async (id: string) =>
  (await harness.db().select().from(mailOutbox).where(eq(mailOutbox.id, id)))[0]!

describe('mail outbox delivery', () => {
  it('sends a pending mail once and marks it sent', async () => {
    const { db, id, to } = await queuedMail()
    const { sent, transport } = recording()
    expect(await deliverMail(db, transport, id)).toBe('sent')
    expect(await deliverMail(db, transport, id)).toBe('skipped')
    expect(sent).toEqual([to])
    expect((await row(id)).status).toBe('sent')
  })

  it('retries with growing backoff, then records a dead letter; nothing is lost', async () => {
    const { db, id } = await queuedMail()
    let now = Date.now()
    const delays: number[] = []
    for (let attempt = 1; attempt <= MAX_MAIL_ATTEMPTS; attempt++) {
      const result = await deliverMail(db, failing, id, new Date(now))
      expect(result).toBe(attempt < MAX_MAIL_ATTEMPTS ? 'retry' : 'dead')
      const current = await row(id)
      expect(current.attempts).toBe(attempt)
      expect(current.lastError).toContain('provider down')
      delays.push(current.nextAttemptAt.getTime() - now)
      // Not due before its backoff has passed:
      expect(await deliverMail(db, failing, id, new Date(now + 1000))).toBe('skipped')
      now = current.nextAttemptAt.getTime()
    }
    expect(delays.slice(0, -1).every((delay, index) => index === 0 || delay > delays[index - 1]!)).toBe(true)
    expect((await row(id)).status).toBe('dead')
  })

  it('lists due pending mail for the cron sweep', async () => {
    const { db, id } = await queuedMail()
    expect(await dueMailIds(db, new Date(Date.now() + 1000), 1000)).toContain(id)
    await deliverMail(db, recording().transport, id)
    expect(await dueMailIds(db, new Date(Date.now() + 1000), 1000)).not.toContain(id)
  })

  it('the queue consumer delivers the named rows and acknowledges the messages', async () => {
    const { id } = await queuedMail()
    const acked: string[] = []
    const batch = {
      messages: [{ body: { outboxId: id }, ack: () => acked.push(id), retry: () => {} }],
    } as unknown as MessageBatch<MailQueueMessage>
    await handleMailQueue(batch, harness.env)
    expect(acked).toEqual([id])
    expect((await row(id)).status).toBe('sent')
  })
})

describe('cron sweep', () => {
  it('hands due pending mail to the queue, or delivers inline where there is no queue', async () => {
    const { id } = await queuedMail()
    expect(await sweepMail(harness.env)).toBeGreaterThanOrEqual(1)
    // Node has no queue binding: the sweep delivered inline. In workerd the queue consumer delivers later.
    if (!('MAIL_QUEUE' in harness.env)) expect((await row(id)).status).toBe('sent')
  })
})

describe('enqueueing', () => {
  afterEach(() => vi.restoreAllMocks())

  it('does nothing, and fails nothing, for an empty list (Queue.sendBatch rejects empty batches)', async () => {
    const errors = vi.spyOn(console, 'error')
    await enqueueMail(harness.env, getConfig(harness.env), harness.db(), [])
    expect(errors).not.toHaveBeenCalled()
  })
})

describe('HTTP mail adapter', () => {
  afterEach(() => vi.restoreAllMocks())
  const config = {
    ...getConfig(harness.env),
    MAIL_TRANSPORT: 'http' as const,
    MAIL_API_URL: 'https://mail.example/emails',
    MAIL_API_KEY: 'key_test',
  }

  it('posts from, to, subject and text with the API key', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{}', { status: 200 }))
    await httpMailTransport(config).send({ to: 'a@example.com', subject: 'S', text: 'T' })
    const [url, init] = fetchSpy.mock.calls[0]!
    expect(url).toBe('https://mail.example/emails')
    const headers = (init?.headers ?? {}) as Record<string, string>
    expect(headers.Authorization).toBe('Bearer key_test')
    expect(JSON.parse(String(init?.body))).toMatchObject({ to: ['a@example.com'], subject: 'S', text: 'T' })
  })

  it('treats a provider error as not delivered (to be retried)', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('nope', { status: 503 }))
    const { db, id } = await queuedMail()
    expect(await deliverMail(db, httpMailTransport(config), id)).toBe('retry')
    expect((await row(id)).status).toBe('pending')
  })
})

describe('GET /_dev/mail', () => {
  it('lists mail with to, subject, text and links (development and test only)', async () => {
    const { email } = await register()
    const [mail] = await mailTo(email)
    expect(mail).toMatchObject({ to: email, subject: 'Confirm your email address' })
    expect(mail!.links[0]).toMatch(/^http:\/\/localhost:3000\/verify-email\?token=/)
    expect(mail!.text).toContain(mail!.links[0])
  })

  it('does not exist in production, nor on a public host', async () => {
    const env = {
      ...harness.env,
      ENVIRONMENT: 'production',
      MAIL_TRANSPORT: 'http',
      MAIL_API_URL: 'https://mail.example/emails',
      MAIL_API_KEY: 'key',
    }
    const response = await createApp().request('/_dev/mail', {}, env)
    expect(response.status).toBe(404)
    // Development vars deployed by mistake: only a local address may read the mail.
    const development = { ...harness.env, ENVIRONMENT: 'development' }
    expect((await createApp().request('https://folio.example/_dev/mail', {}, development)).status).toBe(404)
    expect((await createApp().request('http://localhost:8787/_dev/mail', {}, development)).status).toBe(200)
    expect(await api('GET', '/openapi.json').then(json)).not.toHaveProperty(['paths', '/_dev/mail'])
  })
})
