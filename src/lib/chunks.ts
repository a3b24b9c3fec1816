/** Splits `items` into runs of at most `size` (e.g. rows per multi-row INSERT under D1's 100 bound parameters). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size))
  return out
}
