import { describe, expect, it } from 'vitest'
import { createUser } from './helpers/commerce'
import { bookInput } from './helpers/fixtures'
import { api, json } from './helpers/http'

/** Admin catalog and stock changes land in the audit log with who, what, when, before and after. */
describe('GET /v1/admin/audit: book changes', () => {
  it('records create, stock adjustment and delete; a refused change records nothing', async () => {
    const admin = await createUser('admin')
    const token = admin.token
    const created = await json(
      await api('POST', '/v1/books', { token, body: bookInput({ stock: 4, title: 'Audited' }) }),
    )
    const adjust = (stockAdjustment: number) =>
      api('PATCH', `/v1/books/${created.id}`, { token, body: { stockAdjustment } })
    expect((await adjust(3)).status).toBe(200)
    expect((await adjust(-100)).status).toBe(409) // refused: nothing changed, nothing logged
    expect((await api('DELETE', `/v1/books/${created.id}`, { token })).status).toBe(204)

    const audit = await json(await api('GET', `/v1/admin/audit?targetId=${created.id}`, { token }))
    expect(audit.data.map((entry: { action: string }) => entry.action)).toEqual([
      'book.delete',
      'book.update',
      'book.create',
    ])
    const [deleted, updated, inserted] = audit.data
    expect(inserted).toMatchObject({ actorId: admin.id, targetType: 'book', before: null })
    expect(inserted.after).toMatchObject({ title: 'Audited', stock: 4, priceAmount: 1299, currency: 'EUR' })
    expect(updated.before).toMatchObject({ stock: 4 })
    expect(updated.after).toMatchObject({ stock: 7 })
    expect(deleted).toMatchObject({ before: { stock: 7, title: 'Audited' }, after: null })
    expect(Date.parse(deleted.createdAt)).not.toBeNaN()
  })

  it('pages newest first and filters by actor', async () => {
    const admin = await createUser('admin')
    for (let i = 0; i < 3; i++) await api('POST', '/v1/books', { token: admin.token, body: bookInput() })
    const page = await json(
      await api('GET', `/v1/admin/audit?actorId=${admin.id}&limit=2`, { token: admin.token }),
    )
    expect(page.data).toHaveLength(2)
    const rest = await json(
      await api('GET', `/v1/admin/audit?actorId=${admin.id}&limit=2&cursor=${page.nextCursor}`, {
        token: admin.token,
      }),
    )
    expect(rest.data).toHaveLength(1)
    expect(rest.nextCursor).toBeNull()
  })
})
