/** Canonical BCP 47 tag (`en-us` → `en-US`), or null when the runtime's Intl rejects it. */
export function canonicalLanguageTag(tag: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag)
    return canonical ?? null
  } catch {
    return null
  }
}

let currencies: Set<string> | undefined

/** ISO 4217 codes known to the runtime's Intl data (the same list browsers use). */
export function isCurrencyCode(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'))
  return currencies.has(code)
}
