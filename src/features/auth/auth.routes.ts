import { createRoute, z } from '@hono/zod-openapi'
import { jsonBody, jsonContent } from '../../http/openapi'
import { authLimited, unmetered } from '../../http/policy'
import { pick } from '../../http/schemas'
import {
  JwksSchema,
  LoginSchema,
  MfaChallengeSchema,
  MfaLoginSchema,
  PasswordResetConfirmSchema,
  PasswordResetRequestSchema,
  RefreshSchema,
  RegisterSchema,
  TokenPairSchema,
  TokenSchema,
  UserSchema,
} from './auth.schemas'

const tags = ['Authentication']
/** Every /auth route takes credentials (a password, a refresh token, an emailed token) and gets the strict limit. */
const common = { tags, ...authLimited() }
const refreshCookieHeader = z.object({
  'Set-Cookie': z
    .string()
    .optional()
    .openapi({ description: 'The refresh token cookie, when `cookie: true` was sent' }),
})

export const register = createRoute({
  operationId: 'register',
  method: 'post',
  path: '/auth/register',
  ...common,
  summary: 'Create a customer account',
  description: 'Sends a verification email. Unknown fields, `role` included, are rejected.',
  request: { body: jsonBody(RegisterSchema) },
  responses: { 201: jsonContent(UserSchema, 'The new account'), ...pick(409, 413, 415, 422, 429, 500) },
})

export const login = createRoute({
  operationId: 'login',
  method: 'post',
  path: '/auth/login',
  ...common,
  summary: 'Sign in with email and password',
  description:
    'Answers the tokens, or `{ mfaRequired, mfaToken }` when two-factor is on (then call /auth/login/mfa). ' +
    'A wrong password and an unknown email get the same 401. Repeated failures answer 429 with Retry-After.',
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: {
      description: 'Signed in, or a second factor is needed',
      content: { 'application/json': { schema: z.union([TokenPairSchema, MfaChallengeSchema]) } },
      headers: refreshCookieHeader,
    },
    ...pick(401, 413, 415, 422, 429, 500),
  },
})

export const loginMfa = createRoute({
  operationId: 'loginMfa',
  method: 'post',
  path: '/auth/login/mfa',
  ...common,
  summary: 'Complete sign-in with a TOTP or recovery code',
  request: { body: jsonBody(MfaLoginSchema) },
  responses: {
    200: { ...jsonContent(TokenPairSchema, 'Signed in'), headers: refreshCookieHeader },
    ...pick(401, 413, 415, 422, 429, 500),
  },
})

export const refresh = createRoute({
  operationId: 'refreshTokens',
  method: 'post',
  path: '/auth/refresh',
  ...common,
  summary: 'Rotate the refresh token and get a new access token',
  description: 'The presented refresh token stops working. Presenting a used one revokes the whole session.',
  request: { body: { required: false, content: { 'application/json': { schema: RefreshSchema } } } },
  responses: {
    200: { ...jsonContent(TokenPairSchema, 'New tokens'), headers: refreshCookieHeader },
    ...pick(401, 403, 413, 415, 422, 500),
  },
})

export const logout = createRoute({
  operationId: 'logout',
  method: 'post',
  path: '/auth/logout',
  ...common,
  summary: 'End the session of a refresh token',
  request: { body: { required: false, content: { 'application/json': { schema: RefreshSchema } } } },
  responses: {
    204: { description: 'Signed out (also for an unknown token)' },
    ...pick(403, 413, 415, 422, 500),
  },
})

export const verifyEmail = createRoute({
  operationId: 'verifyEmail',
  method: 'post',
  path: '/auth/verify-email',
  ...common,
  summary: 'Confirm an email address with the emailed token',
  request: { body: jsonBody(TokenSchema) },
  responses: { 204: { description: 'Verified' }, ...pick(400, 413, 415, 422, 500) },
})

export const requestPasswordReset = createRoute({
  operationId: 'requestPasswordReset',
  method: 'post',
  path: '/auth/password-reset',
  ...common,
  summary: 'Email a password reset link',
  description: 'Always 202, whether or not the email has an account.',
  request: { body: jsonBody(PasswordResetRequestSchema) },
  responses: { 202: { description: 'Accepted' }, ...pick(413, 415, 422, 500) },
})

export const confirmPasswordReset = createRoute({
  operationId: 'confirmPasswordReset',
  method: 'post',
  path: '/auth/password-reset/confirm',
  ...common,
  summary: 'Set a new password with the emailed token',
  description: 'The token works once, for 30 minutes. Every session of the account is signed out.',
  request: { body: jsonBody(PasswordResetConfirmSchema) },
  responses: { 204: { description: 'Password changed' }, ...pick(400, 413, 415, 422, 500) },
})

export const jwks = createRoute({
  operationId: 'getJwks',
  method: 'get',
  path: '/.well-known/jwks.json',
  // Token verifiers fetch the keys; never throttled.
  ...unmetered(),
  tags,
  summary: 'Public keys that verify access tokens (RFC 7517)',
  responses: { 200: { description: 'The JWK Set', content: { 'application/json': { schema: JwksSchema } } } },
})
