/**
 * Image headers built byte by byte, as the formats' specifications lay them out: enough structure for a decoder
 * to read the type and dimensions (the bytes after the header are filler).
 */
const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0))
const be32 = (value: number) => [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]
const be16 = (value: number) => [(value >>> 8) & 255, value & 255]
const le24 = (value: number) => [value & 255, (value >>> 8) & 255, (value >>> 16) & 255]
const le32 = (value: number) => [...le24(value), (value >>> 24) & 255]
const le16 = (value: number) => [value & 255, (value >>> 8) & 255]

/** A PNG: signature, IHDR (width, height, 8-bit RGB), an empty IDAT and IEND. */
export function png(width: number, height: number, filler = 64): Uint8Array<ArrayBuffer> {
  // biome-ignore format: one structure of the file per line
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ...be32(13), ...ascii('IHDR'), ...be32(width), ...be32(height), 8, 2, 0, 0, 0, 0, 0, 0, 0,
    ...be32(filler), ...ascii('IDAT'), ...new Array(filler).fill(7), 0, 0, 0, 0,
    ...be32(0), ...ascii('IEND'), 0xae, 0x42, 0x60, 0x82,
  ])
}

/** A baseline JPEG: SOI, a JFIF APP0 segment, SOF0 with the dimensions, filler, EOI. */
export function jpeg(width: number, height: number, filler = 64): Uint8Array<ArrayBuffer> {
  // biome-ignore format: one structure of the file per line
  return new Uint8Array([
    0xff, 0xd8,
    0xff, 0xe0, ...be16(16), ...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    0xff, 0xc0, ...be16(17), 8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ...new Array(filler).fill(0x55),
    0xff, 0xd9,
  ])
}

/** A lossy WebP (RFC 9649): RIFF, WEBP, a VP8 chunk with its frame start code and 14-bit dimensions. */
export function webp(width: number, height: number): Uint8Array<ArrayBuffer> {
  const payload = 30
  // biome-ignore format: one structure of the file per line
  return new Uint8Array([
    ...ascii('RIFF'), ...le32(4 + 8 + payload), ...ascii('WEBP'),
    ...ascii('VP8 '), ...le32(payload), 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...le16(width), ...le16(height),
    ...new Array(20).fill(0),
  ])
}

/** An extended WebP (VP8X) header. */
export function webpExtended(width: number, height: number): Uint8Array<ArrayBuffer> {
  // biome-ignore format: one structure of the file per line
  return new Uint8Array([
    ...ascii('RIFF'), ...le32(4 + 18), ...ascii('WEBP'),
    ...ascii('VP8X'), ...le32(10), 0, 0, 0, 0, ...le24(width - 1), ...le24(height - 1),
  ])
}
