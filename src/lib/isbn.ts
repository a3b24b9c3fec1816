/**
 * ISBN handling. Every book is stored under its ISBN-13; ISBN-10 input is converted (prefix 978, new check digit).
 * Hyphens and spaces are ignored, as printed ISBNs carry them.
 */

function isbn13CheckDigit(first12: string): number {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3)
  return (10 - (sum % 10)) % 10
}

/** A valid ISBN-13 from its first 12 digits (the seeders and test fixtures make up ISBNs this way). */
export function withCheckDigit(first12: string): string {
  return `${first12}${isbn13CheckDigit(first12)}`
}

function isValidIsbn10(isbn: string): boolean {
  if (!/^\d{9}[\dX]$/.test(isbn)) return false
  let sum = 0
  for (let i = 0; i < 10; i++) {
    const char = isbn[i]!
    sum += (char === 'X' ? 10 : Number(char)) * (10 - i)
  }
  return sum % 11 === 0
}

/** Returns the canonical ISBN-13 (digits only), or null when the input is not a valid ISBN-10 or ISBN-13. */
export function normalizeIsbn(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase()
  if (compact.length === 10) {
    if (!isValidIsbn10(compact)) return null
    const first12 = `978${compact.slice(0, 9)}`
    return `${first12}${isbn13CheckDigit(first12)}`
  }
  if (!/^97[89]\d{10}$/.test(compact)) return null
  return isbn13CheckDigit(compact.slice(0, 12)) === Number(compact[12]) ? compact : null
}
