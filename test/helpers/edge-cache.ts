/** Shared by edge-cache.workerd.test.ts and edge-cache.node.test.ts. */

export const cacheStatus = (response: Response) => response.headers.get('Cache-Status')

/**
 * Repeats `first` then `second` until `second` is a hit (the store happens in waitUntil, and other test files
 * may bump the shared catalog version in between), and returns that pair.
 */
export async function untilHit(first: () => Promise<Response>, second: () => Promise<Response>) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = await first()
    const b = await second()
    if (cacheStatus(b)?.startsWith('Folio; hit')) return { first: a, second: b }
  }
  throw new Error('never served from the edge cache')
}
