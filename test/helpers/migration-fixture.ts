import { expect } from 'vitest'
/**
 * The catalogue and orders as they were before migration 0009 (the schema of 0000–0008), as plain SQL, so the
 * same rows go into libSQL (test/migrations.node.test.ts) and D1 (test/migrations.workerd.test.ts).
 */
export const OLD_BOOKS = [
  { id: `bk_${'a'.repeat(26)}`, isbn: '9780141439518', title: 'Pride and Prejudice', price: 1299, stock: 3 },
  {
    id: `bk_${'b'.repeat(26)}`,
    isbn: '9780261103252',
    title: 'The Lord of the Rings',
    price: 2999,
    stock: 0,
  },
  { id: `bk_${'c'.repeat(26)}`, isbn: '9780198526636', title: 'A Study in Scarlet', price: 899, stock: 12 },
]

const ORDER_ID = `ord_${'a'.repeat(26)}`
const USER_ID = `usr_${'a'.repeat(26)}`
const NOW = Date.UTC(2026, 5, 1)

/** Statements that insert the old-shape rows, with their parameters. */
export function oldShapeInserts(): [string, unknown[]][] {
  return [
    ...OLD_BOOKS.map((book, index): [string, unknown[]] => [
      'INSERT INTO books (id, isbn, title, authors, description, language, published_year, price_amount, currency, stock, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        book.id,
        book.isbn,
        book.title,
        '["An Author"]',
        'Old description',
        'en',
        1900 + index,
        book.price,
        'EUR',
        book.stock,
        NOW + index,
        NOW + index,
      ],
    ]),
    [
      "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES (?, 'old@example.com', 'Old Customer', 'x', 'customer', ?, ?)",
      [USER_ID, NOW, NOW],
    ],
    [
      "INSERT INTO orders (id, user_id, status, currency, subtotal_amount, shipping_amount, total_amount, ship_name, ship_city, ship_country, created_at, updated_at, paid_at) VALUES (?, ?, 'paid', 'EUR', 4298, 0, 4298, 'Ada', 'London', 'GB', ?, ?, ?)",
      [ORDER_ID, USER_ID, NOW, NOW, NOW],
    ],
    [
      'INSERT INTO order_lines (order_id, book_id, title, unit_amount, quantity) VALUES (?, ?, ?, ?, 1), (?, ?, ?, ?, 1)',
      [
        ORDER_ID,
        OLD_BOOKS[0]!.id,
        OLD_BOOKS[0]!.title,
        1299,
        ORDER_ID,
        OLD_BOOKS[1]!.id,
        OLD_BOOKS[1]!.title,
        2999,
      ],
    ],
  ]
}

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>

/** After the remaining migrations: every old row is there, unchanged, and each book is the edition of a work. */
export async function survivingRows(query: Query) {
  const books = await query(
    'SELECT b.id, b.isbn, b.title, b.price_amount AS price, b.stock, b.work_id, w.title AS work_title FROM books b LEFT JOIN works w ON w.id = b.work_id ORDER BY b.id',
  )
  const orders = await query('SELECT id, user_id, status, total_amount FROM orders')
  const lines = await query('SELECT order_id, book_id, unit_amount FROM order_lines ORDER BY book_id')
  const users = await query('SELECT id FROM users')
  const found = await query("SELECT rowid FROM books_fts WHERE books_fts MATCH 'scarlet'")
  const orphanWorks = await query('SELECT id FROM works WHERE id NOT IN (SELECT work_id FROM books)')
  return { books, orders, lines, users, found, orphanWorks, orderId: ORDER_ID, userId: USER_ID }
}

/** The same assertions on both runtimes: the old books, order, lines and user unchanged, search intact, no orphans. */
export function expectEveryOldRowSurvived(after: Awaited<ReturnType<typeof survivingRows>>): void {
  expect(after.books).toEqual(
    OLD_BOOKS.map((book) => ({
      id: book.id,
      isbn: book.isbn,
      title: book.title,
      price: book.price,
      stock: book.stock,
      work_id: `wk_${book.id.slice(3)}`,
      work_title: book.title,
    })),
  )
  expect(after.orders).toEqual([
    { id: after.orderId, user_id: after.userId, status: 'paid', total_amount: 4298 },
  ])
  expect(after.lines).toEqual([
    { order_id: after.orderId, book_id: OLD_BOOKS[0]!.id, unit_amount: 1299 },
    { order_id: after.orderId, book_id: OLD_BOOKS[1]!.id, unit_amount: 2999 },
  ])
  expect(after.users).toEqual([{ id: after.userId }])
  expect(after.found).toHaveLength(1)
  expect(after.orphanWorks).toEqual([])
}
