import { z } from '@hono/zod-openapi'
import { EmailSchema, NameSchema, NewPasswordSchema, PasswordSchema, PhoneSchema, UserSchema } from '../auth'

export const UserIdSchema = z
  .string()
  .regex(/^usr_[0-9a-z]{26}$/, 'Not a user id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'usr_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

export const SessionIdSchema = z
  .string()
  .regex(/^ses_[0-9a-z]{26}$/, 'Not a session id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'ses_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

/** Only these fields: `role`, `emailVerified` and the rest are rejected with 422 (OWASP API3, mass assignment). */
export const UpdateMeSchema = z
  .strictObject({
    name: NameSchema.optional(),
    phone: PhoneSchema.nullable().optional().openapi({ description: 'null removes it' }),
    email: EmailSchema.optional().openapi({
      description: 'Changing it needs `password` and sends a new verification mail',
    }),
    password: PasswordSchema.optional().openapi({
      description: 'The current password; required with `email`',
    }),
  })
  .refine(
    (input) => Object.keys(input).some((key) => key !== 'password'),
    'Send at least one field to change',
  )
  .refine((input) => input.email === undefined || input.password !== undefined, {
    message: 'Changing the email needs the current password',
    path: ['password'],
  })
  .openapi('UpdateMe')
export type UpdateMe = z.output<typeof UpdateMeSchema>

export const ChangePasswordSchema = z
  .strictObject({ currentPassword: PasswordSchema, newPassword: NewPasswordSchema })
  .openapi('ChangePassword')

export const PasswordConfirmationSchema = z
  .strictObject({ password: PasswordSchema })
  .openapi('PasswordConfirmation')

export const SessionSchema = z
  .object({
    id: z.string(),
    device: z.string().openapi({ example: 'Firefox on macOS' }),
    ip: z.string(),
    country: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    current: z.boolean(),
  })
  .openapi('Session')

export const SecurityEventSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'new_device_login' }),
    device: z.string().nullable(),
    ip: z.string().nullable(),
    country: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('SecurityEvent')

export const TotpSetupSchema = z
  .object({
    secret: z.string().openapi({ description: 'Base32 secret (SHA-1, 6 digits, 30 s)' }),
    otpauthUri: z.string().openapi({ example: 'otpauth://totp/Folio:ada%40example.com?secret=…' }),
  })
  .openapi('TotpSetup')

export const TotpCodeSchema = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'A 6-digit code'),
})

export const RecoveryCodesSchema = z
  .object({ recoveryCodes: z.array(z.string()).openapi({ description: 'Shown once; each works once' }) })
  .openapi('RecoveryCodes')

export const TotpDisableSchema = z
  .strictObject({
    password: PasswordSchema,
    code: z.string().trim().min(6).max(20).openapi({ description: 'A TOTP code or a recovery code' }),
  })
  .openapi('TotpDisable')

export const AdminListUsersQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'Matches email or name (substring)' }),
  role: z.enum(['customer', 'admin']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
})

export const UserListSchema = z
  .object({ data: z.array(UserSchema), nextCursor: z.string().nullable() })
  .openapi('UserList')

export const AdminUpdateUserSchema = z
  .strictObject({ role: z.enum(['customer', 'admin']) })
  .openapi('AdminUpdateUser')
