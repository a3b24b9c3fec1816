import type { OutgoingMail } from './mail.transports'

/** Plain-text mails: every link is on its own line so any client (and GET /_dev/mail) finds it. */
const signature = '\n\n— Folio'

export function verifyEmailMail(to: string, name: string, link: string): OutgoingMail {
  return {
    to,
    subject: 'Confirm your email address',
    text: `Hello ${name},\n\nPlease confirm your email address for Folio:\n\n${link}\n\nThe link works once and expires in 24 hours. If you did not sign up, ignore this mail.${signature}`,
  }
}

export function passwordResetMail(to: string, name: string, link: string): OutgoingMail {
  return {
    to,
    subject: 'Reset your password',
    text: `Hello ${name},\n\nSomeone (hopefully you) asked to reset your Folio password:\n\n${link}\n\nThe link works once and expires in 30 minutes. If it was not you, ignore this mail; your password is unchanged.${signature}`,
  }
}

export function newDeviceMail(
  to: string,
  name: string,
  where: { device: string; ip: string; country: string | null },
): OutgoingMail {
  const place = where.country ? ` in ${where.country}` : ''
  return {
    to,
    subject: 'New sign-in to your Folio account',
    text: `Hello ${name},\n\nYour account was just signed in to from ${where.device}${place} (IP ${where.ip}).\n\nIf this was you, nothing to do. If not, change your password now and sign out other sessions under Account → Security.${signature}`,
  }
}

export function securityNoticeMail(to: string, name: string, what: string): OutgoingMail {
  return {
    to,
    subject: 'Security change on your Folio account',
    text: `Hello ${name},\n\n${what}\n\nIf this was not you, reset your password at once and contact support.${signature}`,
  }
}
