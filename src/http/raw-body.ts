import type { Context } from 'hono'
import { ApiError } from './problem'

const tooLarge = (maxBytes: number) =>
  new ApiError(413, {
    title: 'Request body too large',
    detail: `This upload is limited to ${maxBytes} bytes`,
  })

/**
 * The request body as bytes, at most `maxBytes`: a declared Content-Length over the cap is refused before a byte
 * is read, and the stream is cut off as soon as it passes the cap (a chunked body, or a Content-Length that
 * lies), so an oversized upload never sits whole in memory (OWASP File Upload Cheat Sheet: "set a file size
 * limit"; RFC 9110 §15.5.14).
 */
export async function readCappedBody(c: Context, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = c.req.header('Content-Length')
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  const stream = c.req.raw.body
  if (!stream) return new Uint8Array()
  const reader = stream.getReader()
  const parts: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    length += value.byteLength
    if (length > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    parts.push(value)
  }
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.byteLength
  }
  return bytes
}

/** The media type of a Content-Type header, lower-cased, without parameters (RFC 9110 §8.3.1). */
export function mediaType(c: Context): string {
  return (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
}
