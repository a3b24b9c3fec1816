/**
 * A query string reduced to the parameters a route reads, sorted by name (values keep their order, since a
 * repeated parameter changes the answer). The edge cache keys entries by it and `Link` headers are built from
 * it, so a parameter the route ignores (`?utm=…`, junk) can neither bust the cache nor ride along in a stored
 * header.
 */
export function canonicalQuery(search: URLSearchParams, known: readonly string[]): URLSearchParams {
  const kept = new URLSearchParams([...search].filter(([name]) => known.includes(name)))
  kept.sort() // stable: by name, repeated values in their order
  return kept
}
