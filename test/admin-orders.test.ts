import { describe, expect, it } from 'vitest'
import { ORDER_STATUSES, type OrderStatus } from '../src/db/schema'
import { canTransition, TRANSITIONS } from '../src/features/orders/order-status'
import {
  type Customer,
  createBook,
  createUser,
  getOrder,
  payOrder,
  placeOrder,
  stockOf,
} from './helpers/commerce'
import { api, json } from './helpers/http'

let adminUser: Customer | undefined
const admin = async () => {
  adminUser ??= await createUser('admin')
  return adminUser
}

const post = async (path: string, body?: unknown) => api('POST', path, { token: (await admin()).token, body })

/** An order brought into the given status through the API, as a customer and an admin would. */
async function orderIn(status: OrderStatus) {
  const customer = await createUser()
  const order = await placeOrder(customer, [[await createBook({ price: 1000, stock: 5 }), 2]]) // total 2499
  const steps: Record<OrderStatus, string[]> = {
    pending_payment: [],
    paid: ['pay'],
    shipped: ['pay', 'ship'],
    delivered: ['pay', 'ship', 'deliver'],
    cancelled: ['cancel'],
    refunded: ['pay', 'refund'],
    partially_refunded: ['pay', 'partial'],
  }
  for (const step of steps[status]) {
    if (step === 'pay') await payOrder(order)
    if (step === 'ship') await post(`/v1/admin/orders/${order.id}/ship`)
    if (step === 'deliver') await post(`/v1/admin/orders/${order.id}/deliver`)
    if (step === 'cancel') await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })
    if (step === 'refund') await post(`/v1/admin/orders/${order.id}/refunds`)
    if (step === 'partial') await post(`/v1/admin/orders/${order.id}/refunds`, { amount: 100 })
  }
  expect((await getOrder(customer.token, order.id)).status).toBe(status)
  return { customer, order }
}

describe('admin order actions', () => {
  it('ships and delivers a paid order, writing the audit log', async () => {
    const { customer, order } = await orderIn('paid')
    const shipped = await post(`/v1/admin/orders/${order.id}/ship`)
    expect(shipped.status).toBe(200)
    expect(await json(shipped)).toMatchObject({ status: 'shipped' })
    const delivered = await json(await post(`/v1/admin/orders/${order.id}/deliver`))
    expect(delivered.status).toBe('delivered')
    expect(delivered.shippedAt && delivered.deliveredAt).toBeTruthy()
    expect((await getOrder(customer.token, order.id)).status).toBe('delivered')

    const audit = await json(
      await api('GET', `/v1/admin/audit?targetId=${order.id}`, { token: (await admin()).token }),
    )
    expect(audit.data.map((entry: { action: string }) => entry.action)).toEqual([
      'order.deliver',
      'order.ship',
    ])
    expect(audit.data[1]).toMatchObject({
      actorId: (await admin()).id,
      targetType: 'order',
      targetId: order.id,
      before: { status: 'paid' },
      after: { status: 'shipped' },
    })
    expect(Date.parse(audit.data[1].createdAt)).not.toBeNaN()
  })

  it('is for admins only: customers get 403, anonymous callers 401', async () => {
    const { customer, order } = await orderIn('paid')
    for (const path of ['ship', 'deliver', 'refunds']) {
      expect(
        (await api('POST', `/v1/admin/orders/${order.id}/${path}`, { token: customer.token })).status,
      ).toBe(403)
      expect((await api('POST', `/v1/admin/orders/${order.id}/${path}`)).status).toBe(401)
    }
    expect((await api('GET', '/v1/admin/orders', { token: customer.token })).status).toBe(403)
    expect((await api('GET', '/v1/admin/audit', { token: customer.token })).status).toBe(403)
    expect((await post('/v1/admin/orders/ord_00000000000000000000000000/ship')).status).toBe(404)
  })

  it('lists orders filtered by status, customer and date, with cursor pagination', async () => {
    const { customer, order } = await orderIn('paid')
    const second = await placeOrder(customer, [[await createBook(), 1]])
    const token = (await admin()).token
    const mine = await json(await api('GET', `/v1/admin/orders?customerId=${customer.id}&limit=1`, { token }))
    expect(mine.data.map((entry: { id: string }) => entry.id)).toEqual([second.id])
    const next = await json(
      await api('GET', `/v1/admin/orders?customerId=${customer.id}&limit=1&cursor=${mine.nextCursor}`, {
        token,
      }),
    )
    expect(next.data.map((entry: { id: string }) => entry.id)).toEqual([order.id])
    const paid = await json(
      await api('GET', `/v1/admin/orders?customerId=${customer.id}&status=paid`, { token }),
    )
    expect(paid.data.map((entry: { id: string }) => entry.id)).toEqual([order.id])
    const future = new Date(Date.now() + 60_000).toISOString()
    const none = await json(
      await api(
        'GET',
        `/v1/admin/orders?customerId=${customer.id}&createdFrom=${encodeURIComponent(future)}`,
        { token },
      ),
    )
    expect(none.data).toEqual([])
    expect((await api('GET', '/v1/admin/orders?status=lost', { token })).status).toBe(400)
  })
})

describe('refunds', () => {
  it('refunds partially, then the rest; never more than was paid', async () => {
    const { customer, order } = await orderIn('paid')
    const tooMuch = await post(`/v1/admin/orders/${order.id}/refunds`, { amount: 2500 })
    expect(tooMuch.status).toBe(422)
    expect((await json(tooMuch)).errors[0]).toEqual({ pointer: '/body/amount', detail: 'At most 2499' })

    const partial = await post(`/v1/admin/orders/${order.id}/refunds`, {
      amount: 1000,
      reason: 'damaged cover',
    })
    expect(partial.status).toBe(201)
    expect(await json(partial)).toMatchObject({
      refund: { amount: { amount: 1000, currency: 'EUR' }, status: 'succeeded' },
      order: { status: 'partially_refunded', refunded: { amount: 1000, currency: 'EUR' } },
    })
    expect((await post(`/v1/admin/orders/${order.id}/refunds`, { amount: 1500 })).status).toBe(422)
    const rest = await json(await post(`/v1/admin/orders/${order.id}/refunds`))
    expect(rest.refund.amount.amount).toBe(1499)
    expect(rest.order).toMatchObject({ status: 'refunded', refunded: { amount: 2499 } })
    expect((await post(`/v1/admin/orders/${order.id}/refunds`, { amount: 1 })).status).toBe(409)
    expect((await getOrder(customer.token, order.id)).refunded.amount).toBe(2499)
  })

  it('concurrent refunds cannot together exceed what was paid', async () => {
    const { customer, order } = await orderIn('paid')
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => post(`/v1/admin/orders/${order.id}/refunds`, { amount: 1000 })),
    )
    const succeeded = responses.filter((response) => response.status === 201).length
    expect(succeeded).toBeLessThanOrEqual(2)
    expect((await getOrder(customer.token, order.id)).refunded.amount).toBe(succeeded * 1000)
  })

  it('refuses unpaid orders and non-positive amounts', async () => {
    const { order } = await orderIn('pending_payment')
    expect((await post(`/v1/admin/orders/${order.id}/refunds`)).status).toBe(409)
    const paid = (await orderIn('paid')).order
    expect((await post(`/v1/admin/orders/${paid.id}/refunds`, { amount: 0 })).status).toBe(422)
    expect((await post(`/v1/admin/orders/${paid.id}/refunds`, { amount: 10.5 })).status).toBe(422)
  })
})

describe('the lifecycle', () => {
  it('a fully refunded order that never shipped can be cancelled: its stock comes back, no money moves', async () => {
    const customer = await createUser()
    const book = await createBook({ price: 1000, stock: 5 })
    const order = await placeOrder(customer, [[book, 2]])
    await payOrder(order)
    expect((await post(`/v1/admin/orders/${order.id}/refunds`)).status).toBe(201)
    expect(await stockOf(book)).toBe(3)
    const cancelled = await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })
    expect(cancelled.status).toBe(200)
    expect(await json(cancelled)).toMatchObject({ status: 'cancelled', refunded: { amount: 2499 } })
    expect(await stockOf(book)).toBe(5)
    // Shipped then refunded: the books left, nothing to release, no cancel.
    const shipped = await orderIn('shipped')
    await post(`/v1/admin/orders/${shipped.order.id}/refunds`)
    expect(
      (await api('POST', `/v1/orders/${shipped.order.id}/cancel`, { token: shipped.customer.token })).status,
    ).toBe(409)
  })

  it('allows exactly the transitions in the table', () => {
    const legal = new Set(
      Object.entries(TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`)),
    )
    const blank = { shippedAt: null, deliveredAt: null }
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const allowed = canTransition({ status: from, ...blank }, to)
        if (!legal.has(`${from}>${to}`)) expect(allowed, `${from} → ${to}`).toBe(false)
      }
    }
    expect(
      canTransition({ status: 'partially_refunded', shippedAt: new Date(), deliveredAt: null }, 'shipped'),
    ).toBe(false)
    expect(
      canTransition({ status: 'partially_refunded', shippedAt: new Date(), deliveredAt: null }, 'cancelled'),
    ).toBe(false)
  })

  // Every action from every status, through the API: legal ones succeed, every illegal one is 409.
  const legalFrom: Record<string, OrderStatus[]> = {
    ship: ['paid', 'partially_refunded'],
    deliver: ['shipped'],
    cancel: ['pending_payment', 'paid', 'partially_refunded', 'refunded'],
    refund: ['paid', 'partially_refunded', 'shipped', 'delivered'],
  }
  for (const status of ORDER_STATUSES) {
    it(`from ${status}: illegal actions are 409 and change nothing`, async () => {
      for (const [action, allowed] of Object.entries(legalFrom)) {
        const { customer, order } = await orderIn(status)
        const response =
          action === 'cancel'
            ? await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })
            : action === 'refund'
              ? await post(`/v1/admin/orders/${order.id}/refunds`, { amount: 1 })
              : await post(`/v1/admin/orders/${order.id}/${action}`)
        const expected = allowed.includes(status) ? (action === 'refund' ? 201 : 200) : 409
        expect(response.status, `${action} from ${status}`).toBe(expected)
        if (expected === 409) {
          expect((await json(response)).type).toBe('/problems/illegal-transition')
          expect((await getOrder(customer.token, order.id)).status).toBe(status)
        }
      }
    })
  }
})

describe('inventory', () => {
  it('admin stock adjustments and reservations stay consistent', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 5 })
    const order = await placeOrder(customer, [[book, 2]])
    const token = (await admin()).token
    const adjusted = await api('PATCH', `/v1/books/${book}`, { token, body: { stockAdjustment: 3 } })
    expect((await json(adjusted)).stock).toBe(6)
    // Taking more than is available (reserved copies are not available) is refused.
    expect((await api('PATCH', `/v1/books/${book}`, { token, body: { stockAdjustment: -7 } })).status).toBe(
      409,
    )
    await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })
    expect((await json(await api('GET', `/v1/books/${book}`))).stock).toBe(8)
  })
})
