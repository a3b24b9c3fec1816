import { withCheckDigit } from '../../lib/isbn'

/** A demo book as the seeder writes it: the fields of a book row, the price in EUR cents. */
type DemoBookInput = {
  title: string
  authors: string[]
  language: string
  publishedYear: number
  price: number
  stock: number
  description: string
}
type DemoBook = DemoBookInput & { isbn12: string }

/** A demo book with its ISBN-13 and its price as an amount and currency (the API's shape of a new book). */
export type DemoCatalogBook = Omit<DemoBookInput, 'price'> & {
  isbn: string
  price: { amount: number; currency: 'EUR' }
}

/** Real titles with made-up ISBN prefixes: `isbn12` is completed with a valid check digit by the seeder. */
const demo: DemoBook[] = [
  {
    isbn12: '978014143951',
    title: 'Pride and Prejudice',
    authors: ['Jane Austen'],
    language: 'en',
    publishedYear: 1813,
    price: 899,
    stock: 14,
    description:
      'A witty novel of manners: Elizabeth Bennet and Mr Darcy misjudge each other across the ballrooms of Regency England.',
  },
  {
    isbn12: '978014143960',
    title: 'Emma',
    authors: ['Jane Austen'],
    language: 'en',
    publishedYear: 1815,
    price: 799,
    stock: 6,
    description: 'A young matchmaker meddles in the love lives of her neighbours in the village of Highbury.',
  },
  {
    isbn12: '978014044913',
    title: 'Crime and Punishment',
    authors: ['Fyodor Dostoevsky'],
    language: 'en',
    publishedYear: 1866,
    price: 1199,
    stock: 9,
    description: 'A former student in St Petersburg commits a murder and wrestles with guilt and redemption.',
  },
  {
    isbn12: '978006112008',
    title: 'To Kill a Mockingbird',
    authors: ['Harper Lee'],
    language: 'en',
    publishedYear: 1960,
    price: 1099,
    stock: 21,
    description:
      'Scout Finch grows up in Alabama as her father defends a Black man accused of a crime he did not commit.',
  },
  {
    isbn12: '978045152493',
    title: 'Nineteen Eighty-Four',
    authors: ['George Orwell'],
    language: 'en',
    publishedYear: 1949,
    price: 999,
    stock: 0,
    description:
      'Winston Smith rebels against the all-seeing Party and Big Brother in a totalitarian superstate.',
  },
  {
    isbn12: '978067973645',
    title: 'One Hundred Years of Solitude',
    authors: ['Gabriel García Márquez'],
    language: 'en',
    publishedYear: 1967,
    price: 1499,
    stock: 5,
    description: 'Seven generations of the Buendía family in the mythical town of Macondo.',
  },
  {
    isbn12: '978843760494',
    title: 'Cien años de soledad',
    authors: ['Gabriel García Márquez'],
    language: 'es',
    publishedYear: 1967,
    price: 1599,
    stock: 3,
    description: 'La historia de la familia Buendía a lo largo de siete generaciones en Macondo.',
  },
  {
    isbn12: '978207036822',
    title: "L'Étranger",
    authors: ['Albert Camus'],
    language: 'fr',
    publishedYear: 1942,
    price: 750,
    stock: 11,
    description: 'Meursault, un homme indifférent, commet un meurtre sur une plage algérienne.',
  },
  {
    isbn12: '978342312345',
    title: 'Der Prozess',
    authors: ['Franz Kafka'],
    language: 'de',
    publishedYear: 1925,
    price: 850,
    stock: 7,
    description:
      'Josef K. wird eines Morgens verhaftet, ohne zu wissen, welches Verbrechens er beschuldigt wird.',
  },
  {
    isbn12: '978026110320',
    title: 'The Hobbit',
    authors: ['J. R. R. Tolkien'],
    language: 'en',
    publishedYear: 1937,
    price: 1299,
    stock: 18,
    description:
      'Bilbo Baggins leaves the Shire with thirteen dwarves and a wizard to reclaim a treasure guarded by a dragon.',
  },
  {
    isbn12: '978061864015',
    title: 'The Fellowship of the Ring',
    authors: ['J. R. R. Tolkien'],
    language: 'en',
    publishedYear: 1954,
    price: 1599,
    stock: 12,
    description: 'Frodo sets out from the Shire to destroy the One Ring.',
  },
  {
    isbn12: '978055338016',
    title: 'A Game of Thrones',
    authors: ['George R. R. Martin'],
    language: 'en',
    publishedYear: 1996,
    price: 1399,
    stock: 8,
    description: 'Noble houses fight for the Iron Throne while an ancient threat gathers beyond the Wall.',
  },
  {
    isbn12: '978044101359',
    title: 'Dune',
    authors: ['Frank Herbert'],
    language: 'en',
    publishedYear: 1965,
    price: 1299,
    stock: 15,
    description:
      'Paul Atreides is drawn into the politics of the desert planet Arrakis, the only source of the spice.',
  },
  {
    isbn12: '978076532635',
    title: 'The Name of the Wind',
    authors: ['Patrick Rothfuss'],
    language: 'en',
    publishedYear: 2007,
    price: 1199,
    stock: 4,
    description: 'Kvothe tells the story of how he became the most notorious wizard his world has ever seen.',
  },
  {
    isbn12: '978030726399',
    title: 'Good Omens',
    authors: ['Terry Pratchett', 'Neil Gaiman'],
    language: 'en',
    publishedYear: 1990,
    price: 1099,
    stock: 10,
    description: 'An angel and a demon team up to prevent the apocalypse, having grown fond of Earth.',
  },
  {
    isbn12: '978014303943',
    title: 'Thinking, Fast and Slow',
    authors: ['Daniel Kahneman'],
    language: 'en',
    publishedYear: 2011,
    price: 1899,
    stock: 13,
    description: 'How two systems of thought shape our judgements and decisions.',
  },
  {
    isbn12: '978006231609',
    title: 'Sapiens',
    authors: ['Yuval Noah Harari'],
    language: 'en',
    publishedYear: 2011,
    price: 1999,
    stock: 20,
    description: 'A brief history of humankind, from foragers to the age of algorithms.',
  },
  {
    isbn12: '978020161622',
    title: 'The Pragmatic Programmer',
    authors: ['Andrew Hunt', 'David Thomas'],
    language: 'en',
    publishedYear: 1999,
    price: 3999,
    stock: 6,
    description: 'From journeyman to master: practical advice for software developers.',
  },
  {
    isbn12: '978013235088',
    title: 'Clean Code',
    authors: ['Robert C. Martin'],
    language: 'en',
    publishedYear: 2008,
    price: 3599,
    stock: 2,
    description: 'A handbook of agile software craftsmanship.',
  },
  {
    isbn12: '978144937332',
    title: 'Designing Data-Intensive Applications',
    authors: ['Martin Kleppmann'],
    language: 'en',
    publishedYear: 2017,
    price: 4499,
    stock: 9,
    description: 'The big ideas behind reliable, scalable and maintainable systems.',
  },
  {
    isbn12: '978489829812',
    title: 'ノルウェイの森',
    authors: ['村上春樹'],
    language: 'ja',
    publishedYear: 1987,
    price: 1800,
    stock: 5,
    description: '喪失と性をテーマにした村上春樹の長編小説。',
  },
  {
    isbn12: '978885402398',
    title: 'Il nome della rosa',
    authors: ['Umberto Eco'],
    language: 'it',
    publishedYear: 1980,
    price: 1350,
    stock: 4,
    description: "Un monaco francescano indaga su una serie di morti misteriose in un'abbazia benedettina.",
  },
  {
    isbn12: '978857164108',
    title: 'Dom Casmurro',
    authors: ['Machado de Assis'],
    language: 'pt-BR',
    publishedYear: 1899,
    price: 690,
    stock: 7,
    description: 'Bentinho narra sua vida e o ciúme que sente de Capitu.',
  },
  {
    isbn12: '978184749262',
    title: 'Tekup and the Lighthouse',
    authors: ['Aino Tekup'],
    language: 'en',
    publishedYear: 2021,
    price: 1250,
    stock: 1,
    description: 'A small-press mystery set on the Estonian coast.',
  },
]

/** The demo catalog `npm run dev` loads into an empty database. Prices are in EUR cents. */
export function demoBooks(): DemoCatalogBook[] {
  return demo.map(({ isbn12, price, ...book }) => ({
    ...book,
    isbn: withCheckDigit(isbn12),
    price: { amount: price, currency: 'EUR' },
  }))
}
