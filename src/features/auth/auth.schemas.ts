import { z } from '@hono/zod-openapi'
import { isCommonPassword } from '../../lib/common-passwords'

/** Emails are compared and stored normalised: trimmed and lower-cased. */
export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email('Not a valid email address'))
  .openapi({ example: 'ada@example.com' })

/**
 * NIST SP 800-63B §5.1.1.2: at least 8 characters, long passphrases allowed, no composition rules, and no
 * password from a list of commonly used ones.
 */
export const NewPasswordSchema = z
  .string()
  .min(8, 'Use at least 8 characters')
  .max(256, 'Use at most 256 characters')
  .refine((password) => !isCommonPassword(password), 'This password is too common; choose another')
  .openapi({ example: 'correct horse battery staple' })

/** A password being checked, not chosen: no policy (an old password may predate it), only sane bounds. */
export const PasswordSchema = z.string().min(1).max(256).openapi({ example: 'correct horse battery staple' })

export const PhoneSchema = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, 'Use E.164 format, e.g. +4915123456789')
  .openapi({ example: '+4915123456789' })

export const NameSchema = z.string().trim().min(1).max(100).openapi({ example: 'Ada Lovelace' })

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: 'usr_8m1z4b2c3d4e5f6g7h8j9k0m1n' }),
    email: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    role: z.enum(['customer', 'admin']),
    emailVerified: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User')

/** Unknown fields (such as `role`) are rejected with 422: a new account is always a customer (OWASP API3). */
export const RegisterSchema = z
  .strictObject({
    email: EmailSchema,
    password: NewPasswordSchema,
    name: NameSchema,
    phone: PhoneSchema.optional(),
  })
  .openapi('Register')
export type Register = z.output<typeof RegisterSchema>

const cookieFlag = z
  .boolean()
  .optional()
  .openapi({ description: 'Browsers: set the refresh token as an HttpOnly cookie instead of returning it' })

export const LoginSchema = z
  .strictObject({ email: EmailSchema, password: PasswordSchema, cookie: cookieFlag })
  .openapi('Login')

export const MfaLoginSchema = z
  .strictObject({
    mfaToken: z.string().min(1).max(4096),
    code: z.string().trim().min(6).max(20).openapi({ description: 'A 6-digit TOTP code or a recovery code' }),
    cookie: cookieFlag,
  })
  .openapi('MfaLogin')

export const RefreshSchema = z
  .strictObject({
    refreshToken: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .openapi({ description: 'Omit when the refresh token is in the cookie' }),
    cookie: cookieFlag,
  })
  .openapi('Refresh')

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string().optional().openapi({ description: 'Absent when sent as a cookie' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ example: 900 }),
  })
  .openapi('TokenPair')

export const MfaChallengeSchema = z
  .object({ mfaRequired: z.literal(true), mfaToken: z.string() })
  .openapi('MfaChallenge')

export const TokenSchema = z.strictObject({ token: z.string().min(1).max(256) })
export const PasswordResetRequestSchema = z.strictObject({ email: EmailSchema })
export const PasswordResetConfirmSchema = z.strictObject({
  token: z.string().min(1).max(256),
  newPassword: NewPasswordSchema,
})

export const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('JWKS')
