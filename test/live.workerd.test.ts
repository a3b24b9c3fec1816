import { describe, expect, it } from 'vitest'
import { EventFrameSchema, ReadyFrameSchema } from '../src/features/live'
import { checkoutRequest, createBook, createUser, placeOrder, putInCart } from './helpers/commerce'
import { api } from './helpers/http'
import { framesUntil, openLive } from './helpers/live'

describe('live: book channel', () => {
  it('subscribes, then receives availability after a committed checkout', async () => {
    const book = await createBook({ stock: 1, price: 1999 })
    const socket = await openLive(`/v1/live/books/${book}`)
    expect(socket.response.status).toBe(101)
    expect(socket.response.headers.get('Sec-WebSocket-Protocol')).toBe('folio.v1')
    const ready = ReadyFrameSchema.parse(await socket.next())
    expect(ready).toEqual({ type: 'ready', channel: `book:${book}`, lastEventId: 0 })

    const customer = await createUser()
    await placeOrder(customer, [[book, 1]])
    const event = EventFrameSchema.parse(await socket.next())
    expect(event).toMatchObject({
      channel: `book:${book}`,
      id: 1,
      event: 'book.availability',
      data: { bookId: book, availability: 'out_of_stock', price: { amount: 1999, currency: 'EUR' } },
    })
    socket.close()
  })
})
