import type { Config } from '../../config'

export type OutgoingMail = { to: string; subject: string; text: string }

/** The one thing delivery needs from a provider. Throwing means "not delivered, try again later". */
export type MailTransport = { send: (mail: OutgoingMail) => Promise<void> }

/**
 * A Resend-compatible transactional mail API (`POST {from, to, subject, text}` with a bearer key). Any provider
 * with that shape works by changing MAIL_API_URL; another shape is one more small adapter here.
 */
export function httpMailTransport(config: Config): MailTransport {
  return {
    async send(mail) {
      const response = await fetch(config.MAIL_API_URL!, {
        method: 'POST',
        headers: { Authorization: `Bearer ${config.MAIL_API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          from: config.MAIL_FROM,
          to: [mail.to],
          subject: mail.subject,
          text: mail.text,
        }),
        signal: AbortSignal.timeout(10_000),
      })
      if (!response.ok) throw new Error(`mail API answered ${response.status}`)
    },
  }
}

/** Local development and tests: the outbox row is the mail (read it at GET /_dev/mail); nothing leaves. */
export const localMailTransport: MailTransport = { send: async () => {} }

export function mailTransportFor(config: Config): MailTransport {
  return config.MAIL_TRANSPORT === 'http' ? httpMailTransport(config) : localMailTransport
}
