/**
 * A cover's public URL. The key is versioned by content (`{bookId}/{first 16 hex of its SHA-256}.{jpg|png|webp}`),
 * so a replaced cover gets a new URL and the old one can be cached as immutable (RFC 8246).
 */
export function coverUrl(publicApiUrl: string, coverKey: string | null | undefined): string | null {
  return coverKey ? `${publicApiUrl.replace(/\/$/, '')}/v1/covers/${coverKey}` : null
}
