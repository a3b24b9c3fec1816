/**
 * A small per-isolate LRU in front of the Workers Cache API. An isolate serves many requests, and a catalog page
 * it has just served costs no round trip to the colo's cache when it is asked for again. Keys carry the catalog
 * version, like the Cache API's, so an edit retires these entries exactly as it retires the others.
 */
export type MemoryEntry = {
  body: ArrayBuffer
  headers: [string, string][]
  /** The headers a hit is served with, derived from `headers` on the entry's first hit (src/middleware/cache.ts). */
  served?: Record<string, string>
}

const MAX_ENTRIES = 256
const MAX_ENTRY_BYTES = 256 * 1024

const entries = new Map<string, MemoryEntry>()

export function memoryGet(key: string): MemoryEntry | undefined {
  const entry = entries.get(key)
  if (!entry) return undefined
  // Map keeps insertion order: re-inserting marks the entry as most recently used.
  entries.delete(key)
  entries.set(key, entry)
  return entry
}

export function memorySet(key: string, entry: MemoryEntry): void {
  if (entry.body.byteLength > MAX_ENTRY_BYTES) return
  entries.delete(key)
  entries.set(key, entry)
  while (entries.size > MAX_ENTRIES) {
    const oldest = entries.keys().next().value
    if (oldest === undefined) break
    entries.delete(oldest)
  }
}

export async function toMemoryEntry(response: Response): Promise<MemoryEntry> {
  const headers: [string, string][] = []
  response.headers.forEach((value, name) => {
    headers.push([name, value])
  })
  return { body: await response.arrayBuffer(), headers }
}
