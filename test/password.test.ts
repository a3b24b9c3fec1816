import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { users } from '../src/db/schema'
import { isCommonPassword } from '../src/lib/common-passwords'
import { timingSafeEqual, timingSafeEqualText } from '../src/lib/constant-time'
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  needsRehash,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from '../src/lib/password'
import { login, PASSWORD, register } from './helpers/accounts'

const pepper = 'a-test-pepper-of-some-length'

describe('password hashing (PBKDF2-HMAC-SHA256 with pepper)', () => {
  it('stores a versioned, self-describing string with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery', pepper)
    const second = await hashPassword('correct horse battery', pepper)
    expect(first).toMatch(/^\$pbkdf2-sha256\$v=1\$i=100000\$[\w-]{22}\$[\w-]{43}$/)
    expect(first).not.toBe(second)
    expect(PBKDF2_ITERATIONS).toBe(100_000)
  })

  it('verifies the right password only, and only with the same pepper', async () => {
    const stored = await hashPassword('correct horse battery', pepper)
    expect(await verifyPassword('correct horse battery', stored, pepper)).toBe(true)
    expect(await verifyPassword('correct horse batterx', stored, pepper)).toBe(false)
    expect(await verifyPassword('correct horse battery', stored, 'another-pepper-entirely')).toBe(false)
    expect(await verifyPassword('anything', 'not a hash', pepper)).toBe(false)
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH, pepper)).toBe(false)
  })

  it('flags hashes made with older parameters for upgrade', async () => {
    expect(needsRehash(await hashPassword('x', pepper, 1000))).toBe(true)
    expect(needsRehash(await hashPassword('x', pepper))).toBe(false)
    expect(needsRehash(DUMMY_PASSWORD_HASH)).toBe(false)
  })

  it('compares in constant time, length differences included', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true)
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false)
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
    expect(timingSafeEqualText('abc', 'abc')).toBe(true)
    expect(timingSafeEqualText('abc', 'abd')).toBe(false)
    expect(timingSafeEqualText('ab', 'abc')).toBe(false)
  })

  it('knows the common passwords, case-insensitively', () => {
    expect(isCommonPassword('password1')).toBe(true)
    expect(isCommonPassword('QWERTY123')).toBe(true)
    expect(isCommonPassword(PASSWORD)).toBe(false)
  })
})

describe('rehash on login', () => {
  it('upgrades an old hash at the next successful sign-in', async () => {
    const { email, password, user } = await register()
    const db = harness.db()
    const old = await hashPassword(password, harness.env.PASSWORD_PEPPER, 1000)
    await db.update(users).set({ passwordHash: old }).where(eq(users.id, user.id))
    expect((await login(email, password)).status).toBe(200)
    const [row] = await db.select().from(users).where(eq(users.id, user.id))
    expect(row!.passwordHash).not.toBe(old)
    expect(row!.passwordHash).toContain('$i=100000$')
    expect((await login(email, password)).status).toBe(200)
  })
})
