import { createRoute, z } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { pick } from '../../http/schemas'
import { admin, signedIn, UserSchema } from '../auth'
import {
  AdminListUsersQuerySchema,
  AdminUpdateUserSchema,
  ChangePasswordSchema,
  PasswordConfirmationSchema,
  RecoveryCodesSchema,
  SecurityEventSchema,
  SessionIdSchema,
  SessionSchema,
  TotpCodeSchema,
  TotpDisableSchema,
  TotpSetupSchema,
  UpdateMeSchema,
  UserIdSchema,
  UserListSchema,
} from './users.schemas'

const me = { tags: ['Account'], ...signedIn() }
const mfa = { tags: ['Two-factor'], ...signedIn() }
const adminRoute = { tags: ['Admin: users'], ...admin() }

export const getMe = createRoute({
  operationId: 'getMe',
  ...me,
  method: 'get',
  path: '/me',
  summary: 'The signed-in account',
  responses: { 200: jsonContent(UserSchema, 'The account'), ...pick(401, 500) },
})

export const updateMe = createRoute({
  operationId: 'updateMe',
  ...me,
  method: 'patch',
  path: '/me',
  summary: 'Change name, phone or email',
  description: 'A new email must be verified again (a link is mailed to it; the old address is told).',
  request: { body: jsonBody(UpdateMeSchema) },
  responses: { 200: jsonContent(UserSchema, 'The account'), ...pick(401, 403, 409, 413, 415, 422, 429, 500) },
})

export const deleteMe = createRoute({
  operationId: 'deleteMe',
  ...me,
  method: 'delete',
  path: '/me',
  summary: 'Delete the account and everything that belongs to it',
  request: { body: jsonBody(PasswordConfirmationSchema) },
  responses: { 204: { description: 'Deleted' }, ...pick(401, 403, 409, 413, 415, 422, 429, 500) },
})

export const resendVerification = createRoute({
  operationId: 'resendVerification',
  ...me,
  method: 'post',
  path: '/me/email-verification',
  summary: 'Mail a new verification link to the account email',
  responses: { 202: { description: 'Sent' }, ...pick(401, 409, 429, 500) },
})

export const changePassword = createRoute({
  operationId: 'changePassword',
  ...me,
  method: 'post',
  path: '/me/password',
  summary: 'Change the password (signs out every other session)',
  request: { body: jsonBody(ChangePasswordSchema) },
  responses: { 204: { description: 'Changed' }, ...pick(401, 403, 413, 415, 422, 429, 500) },
})

export const listSessions = createRoute({
  operationId: 'listSessions',
  ...me,
  method: 'get',
  path: '/me/sessions',
  summary: 'Active sessions (devices signed in)',
  responses: {
    200: jsonContent(z.object({ data: z.array(SessionSchema) }), 'Sessions, most recently used first'),
    ...pick(401, 500),
  },
})

export const revokeSession = createRoute({
  operationId: 'revokeSession',
  ...me,
  method: 'delete',
  path: '/me/sessions/{id}',
  summary: 'Sign out one session',
  request: { params: z.object({ id: SessionIdSchema }) },
  responses: { 204: { description: 'Revoked' }, ...pick(400, 401, 404, 500) },
})

export const listSecurityEvents = createRoute({
  operationId: 'listSecurityEvents',
  ...me,
  method: 'get',
  path: '/me/security-events',
  summary: 'Recent security events (new sign-ins, password and two-factor changes)',
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }) },
  responses: {
    200: jsonContent(z.object({ data: z.array(SecurityEventSchema) }), 'Newest first'),
    ...pick(400, 401, 500),
  },
})

export const startTotp = createRoute({
  operationId: 'startTotp',
  ...mfa,
  method: 'post',
  path: '/me/mfa/totp',
  summary: 'Start two-factor enrolment (TOTP, RFC 6238)',
  responses: {
    200: jsonContent(TotpSetupSchema, 'Scan the otpauth URI, then confirm with a code'),
    ...pick(401, 409, 500),
  },
})

export const confirmTotp = createRoute({
  operationId: 'confirmTotp',
  ...mfa,
  method: 'post',
  path: '/me/mfa/totp/confirm',
  summary: 'Confirm enrolment with a code; answers the recovery codes (shown once)',
  request: { body: jsonBody(TotpCodeSchema) },
  responses: {
    200: jsonContent(RecoveryCodesSchema, 'Two-factor is on'),
    ...pick(401, 409, 413, 415, 422, 500),
  },
})

export const disableTotp = createRoute({
  operationId: 'disableTotp',
  ...mfa,
  method: 'delete',
  path: '/me/mfa/totp',
  summary: 'Turn two-factor off (password and a code)',
  request: { body: jsonBody(TotpDisableSchema) },
  responses: { 204: { description: 'Two-factor is off' }, ...pick(401, 403, 404, 413, 415, 422, 429, 500) },
})

export const adminListUsers = createRoute({
  operationId: 'adminListUsers',
  ...adminRoute,
  method: 'get',
  path: '/admin/users',
  summary: 'List and search users (admin)',
  request: { query: AdminListUsersQuerySchema },
  responses: {
    200: jsonContent(UserListSchema, 'A page of users, newest first'),
    ...pick(400, 401, 403, 500),
  },
})

export const adminUpdateUser = createRoute({
  operationId: 'adminUpdateUser',
  ...adminRoute,
  method: 'patch',
  path: '/admin/users/{id}',
  summary: "Change a user's role (admin)",
  description: 'The last admin cannot be demoted (409).',
  request: { params: z.object({ id: UserIdSchema }), body: jsonBody(AdminUpdateUserSchema) },
  responses: {
    200: jsonContent(UserSchema, 'The user'),
    ...pick(400, 401, 403, 404, 409, 413, 415, 422, 500),
  },
})

export const adminDeleteUser = createRoute({
  operationId: 'adminDeleteUser',
  ...adminRoute,
  method: 'delete',
  path: '/admin/users/{id}',
  summary: 'Delete a user and their data (admin)',
  description: 'The last admin cannot be deleted (409).',
  request: { params: z.object({ id: UserIdSchema }) },
  responses: { 204: { description: 'Deleted' }, ...pick(400, 401, 403, 404, 409, 500) },
})
