import { z } from '@hono/zod-openapi'
import { BookIdSchema, MoneySchema } from '../books'

/** Most copies of one book per order: a bookshop, not a wholesaler (documented in the README). */
export const MAX_QUANTITY_PER_LINE = 10
/** Most distinct books in one cart. */
export const MAX_CART_LINES = 50

export const CartItemParamsSchema = z.object({
  bookId: BookIdSchema.openapi({ param: { name: 'bookId', in: 'path' } }),
})

export const CartItemUpdateSchema = z
  .strictObject({
    quantity: z
      .number()
      .int()
      .min(1)
      .max(MAX_QUANTITY_PER_LINE)
      .openapi({ description: `1 to ${MAX_QUANTITY_PER_LINE}; must not exceed the stock`, example: 2 }),
  })
  .openapi('CartItemUpdate')

export const CartItemSchema = z
  .object({
    bookId: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    unitPrice: MoneySchema,
    lineTotal: MoneySchema,
    available: z.number().int().openapi({ description: 'Copies in stock right now' }),
  })
  .openapi('CartItem')

export const CartSchema = z
  .object({
    items: z.array(CartItemSchema),
    itemCount: z.number().int().openapi({ description: 'Total copies' }),
    subtotal: MoneySchema.openapi({ description: 'At current prices; shipping is added at checkout' }),
  })
  .openapi('Cart')

export type Cart = z.output<typeof CartSchema>
