import { base32 } from '../../lib/ids'
import { withCheckDigit } from '../../lib/isbn'
import { BOOK_FORMATS, type NewBookRow } from '../schema'

const PUBLISHERS = ['Harbour Press', 'Lantern Books', 'Northwind', 'Quill & Sons', 'Meridian']

/** mulberry32: a tiny seeded PRNG, so the same count always yields the same catalog. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Hidden',
  'Golden',
  'Broken',
  'Distant',
  'Quiet',
  'Burning',
  'Frozen',
  'Wandering',
  'Last',
  'Secret',
  'Endless',
  'Northern',
  'Paper',
  'Glass',
  'Iron',
  'Midnight',
  'Salt',
  'Velvet',
]
const NOUNS = [
  'River',
  'Garden',
  'Kingdom',
  'Lighthouse',
  'Archive',
  'Orchard',
  'Harbour',
  'Library',
  'Compass',
  'Meridian',
  'Forest',
  'Cathedral',
  'Atlas',
  'Lantern',
  'Island',
  'Winter',
  'Cartographer',
  'Clockmaker',
  'Violin',
  'Tide',
]
const TOPICS = [
  'memory',
  'exile',
  'friendship',
  'a lost inheritance',
  'the sea',
  'a small town',
  'war and its aftermath',
  'first love',
  'a family secret',
  'ambition',
  'the end of an empire',
  'a long journey home',
]
const FIRST = [
  'Ada',
  'Tomas',
  'Ingrid',
  'Kofi',
  'Mei',
  'Rafael',
  'Leila',
  'Jonas',
  'Priya',
  'Mateo',
  'Sofia',
  'Yusuf',
  'Hanna',
  'Diego',
  'Aiko',
  'Olu',
  'Clara',
  'Nikolai',
  'Amara',
  'Elias',
]
const LAST = [
  'Tekup',
  'Lindqvist',
  'Okafor',
  'Zhang',
  'Moreau',
  'Castillo',
  'Haddad',
  'Berg',
  'Sharma',
  'Rossi',
  'Novak',
  'Kaya',
  'Fischer',
  'Alves',
  'Tanaka',
  'Mensah',
  'Dubois',
  'Petrov',
  'Eze',
  'Larsen',
]
const LANGUAGES = ['en', 'en', 'en', 'en', 'fr', 'de', 'es', 'it', 'pt-BR', 'ja']

const pickFrom = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!

/** The i-th generated book: a pure function of i, so seeding is reproducible and idempotent. */
export function generatedBook(index: number, now = Date.UTC(2026, 0, 1)): Omit<NewBookRow, 'seq'> {
  const random = prng(index + 1)
  const authorCount = random() < 0.15 ? 2 : 1
  const authors = Array.from(
    { length: authorCount },
    () => `${pickFrom(random, FIRST)} ${pickFrom(random, LAST)}`,
  )
  const title = `The ${pickFrom(random, ADJECTIVES)} ${pickFrom(random, NOUNS)}${random() < 0.3 ? ` ${index}` : ''}`
  const idBytes = new Uint8Array(16)
  for (let i = 0; i < 16; i++) idBytes[i] = Math.floor(random() * 256)
  const createdAt = new Date(now - index * 60_000)
  return {
    id: `bk_${base32(idBytes)}`,
    isbn: withCheckDigit(`979${String(index).padStart(9, '0')}`),
    title,
    authors,
    description: `A novel about ${pickFrom(random, TOPICS)} and ${pickFrom(random, TOPICS)}, by ${authors.join(' and ')}.`,
    language: pickFrom(random, LANGUAGES),
    publishedYear: 1900 + Math.floor(random() * 126),
    priceAmount: 499 + Math.floor(random() * 50) * 100,
    currency: 'EUR',
    stock: random() < 0.1 ? 0 : Math.floor(random() * 40),
    // Drawn last, so the fields above are what they were before formats and publishers existed.
    format: pickFrom(random, BOOK_FORMATS),
    publisher: pickFrom(random, PUBLISHERS),
    createdAt,
    updatedAt: createdAt,
  }
}
