import { z } from '@hono/zod-openapi'
import { ORDER_STATUSES, REFUND_STATUSES } from '../../db/schema'
import { addressFields, PostalAddressSchema } from '../addresses'
import { MoneySchema } from '../books'

export const OrderIdSchema = z
  .string()
  .regex(/^ord_[0-9a-z]{26}$/, 'Not an order id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'ord_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

export const OrderIdParamsSchema = z.object({ id: OrderIdSchema })

export const IdempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .min(8)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces')
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description: 'Required. A unique key per checkout attempt (a UUID); retries reuse it. Kept 24 h.',
      example: '6f1c8b0e-0d7a-4a53-9d0c-2f7a7c1f9d11',
    }),
})

const inlineAddress = z.strictObject(addressFields)

/** Exactly one of a saved address id or an inline address. */
const addressChoice = z
  .strictObject({
    addressId: z
      .string()
      .regex(/^adr_[0-9a-z]{26}$/, 'Not an address id')
      .optional(),
    address: inlineAddress.optional(),
  })
  .refine((body) => (body.addressId === undefined) !== (body.address === undefined), {
    message: 'Send either addressId or address',
    path: ['addressId'],
  })

export const CheckoutSchema = addressChoice.openapi('Checkout', {
  description: 'Checks out the caller’s cart. Prices come from the catalog, never from the client.',
})
export const OrderAddressUpdateSchema = addressChoice.openapi('OrderAddressUpdate')

export const OrderLineSchema = z
  .object({
    bookId: z.string(),
    title: z.string().openapi({ description: 'As it was at checkout' }),
    quantity: z.number().int(),
    unitPrice: MoneySchema,
    lineTotal: MoneySchema,
  })
  .openapi('OrderLine')

export const PaymentSchema = z
  .object({
    provider: z.enum(['stripe', 'local']),
    intentId: z.string().nullable().openapi({ example: 'pi_3Nq…' }),
    clientSecret: z.string().nullable().openapi({
      description: 'For Stripe.js `confirmPayment`; only while the order awaits payment',
    }),
    status: z.enum(['creating', 'requires_payment', 'succeeded', 'failed', 'canceled']),
  })
  .openapi('Payment')

export const OrderSchema = z
  .object({
    id: z.string(),
    status: z.enum(ORDER_STATUSES),
    customerId: z.string().nullable().openapi({ description: 'null once the account was deleted' }),
    lines: z.array(OrderLineSchema),
    subtotal: MoneySchema,
    shipping: MoneySchema,
    total: MoneySchema,
    refunded: MoneySchema,
    address: PostalAddressSchema.nullable(),
    payment: PaymentSchema.nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    paidAt: z.string().nullable().openapi({ format: 'date-time' }),
    shippedAt: z.string().nullable().openapi({ format: 'date-time' }),
    deliveredAt: z.string().nullable().openapi({ format: 'date-time' }),
    cancelledAt: z.string().nullable().openapi({ format: 'date-time' }),
    expiresAt: z.string().nullable().openapi({
      format: 'date-time',
      description: 'When an unpaid order is cancelled and its stock released',
    }),
  })
  .openapi('Order')

export const OrderListSchema = z
  .object({ data: z.array(OrderSchema), nextCursor: z.string().nullable() })
  .openapi('OrderList')

const limit = z.coerce.number().int().min(1).max(100).default(20)
const cursor = z.string().max(512).optional().openapi({ description: 'nextCursor from the previous page' })

export const MyOrdersQuerySchema = z.object({ limit, cursor })

export const AdminOrdersQuerySchema = z
  .object({
    status: z.enum(ORDER_STATUSES).optional(),
    customerId: z.string().max(64).optional(),
    createdFrom: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Inclusive' }),
    createdTo: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Exclusive' }),
    limit,
    cursor,
  })
  .refine((query) => !query.createdFrom || !query.createdTo || query.createdFrom < query.createdTo, {
    message: 'createdFrom must be before createdTo',
    path: ['createdFrom'],
  })

export const RefundRequestSchema = z
  .strictObject({
    amount: z.number().int().min(1).optional().openapi({
      description: 'Minor units; default: everything paid and not yet refunded',
    }),
    reason: z.string().trim().max(500).optional(),
  })
  .openapi('RefundRequest')

export const RefundSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    amount: MoneySchema,
    status: z.enum(REFUND_STATUSES).openapi({
      description:
        '`pending`: recorded, not yet confirmed by the gateway; `succeeded`: confirmed; `failed`: the last ' +
        'attempt failed and the next one is at `nextAttemptAt`',
    }),
    attempts: z.number().int().openapi({ description: 'Gateway calls made so far' }),
    lastError: z.string().nullable().openapi({ description: 'The last failure’s kind, e.g. `unreachable`' }),
    nextAttemptAt: z.string().nullable().openapi({ format: 'date-time', description: 'Null once accepted' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Refund')

export const RefundIdParamsSchema = z.object({
  id: z
    .string()
    .regex(/^rfd_[0-9a-z]{26}$/, 'Not a refund id')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'rfd_01hzy3m8k2q9v7w5x4c3b2n1ma' }),
})

export const RefundsQuerySchema = z.object({ status: z.enum(REFUND_STATUSES).optional(), limit, cursor })

export const RefundListSchema = z
  .object({ data: z.array(RefundSchema), nextCursor: z.string().nullable() })
  .openapi('RefundList')

export const RefundResultSchema = z
  .object({ refund: RefundSchema, order: OrderSchema })
  .openapi('RefundResult')

export type Order = z.output<typeof OrderSchema>
export type Checkout = z.output<typeof CheckoutSchema>
export type AddressChoice = z.output<typeof OrderAddressUpdateSchema>
export type AdminOrdersQuery = z.output<typeof AdminOrdersQuerySchema>
export type RefundRequest = z.output<typeof RefundRequestSchema>
