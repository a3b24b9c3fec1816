import { JPG } from 'image-size/types/jpg'
import { PNG } from 'image-size/types/png'
import { WEBP } from 'image-size/types/webp'

/** The image types a cover may have, with the extension of their content-addressed key. */
export const IMAGE_TYPES = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
} as const

export type ImageType = keyof typeof IMAGE_TYPES

export type SniffedImage = { type: ImageType; width: number; height: number }

/** Sane cover dimensions: a thumbnail is at least 16 px a side; 10,000 px and 40 megapixels is print resolution. */
export const MIN_IMAGE_SIDE = 16
export const MAX_IMAGE_SIDE = 10_000
export const MAX_IMAGE_PIXELS = 40_000_000

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((byte, index) => bytes[at + index] === byte)
const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0))

/**
 * The type from the file's own signature (its magic bytes), never from its name or declared Content-Type
 * (OWASP File Upload Cheat Sheet: "validate the file type, don't trust the Content-Type header"). Each check is
 * the full signature plus the first structure the dimensions are read from, so a PNG signature in front of a
 * text file, or a RIFF file that is not WebP, is no image.
 */
function sniffType(bytes: Uint8Array): ImageType | null {
  // JPEG: SOI (FF D8) followed by a marker (FF xx); ITU T.81 B.1.1.2.
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  // PNG: the 8-byte signature, then the IHDR chunk, which must come first and be 13 bytes long (PNG §5.2, §11.2.2).
  if (
    startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) &&
    startsWith(bytes, [0, 0, 0, 13, ...ascii('IHDR')], 8) &&
    bytes.length >= 33
  )
    return 'image/png'
  // WebP: RIFF....WEBP, then a VP8 (lossy: frame start code 9D 01 2A), VP8L (signature 0x2F) or VP8X chunk
  // (RFC 9649 §2.5–2.7).
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8) && bytes.length >= 30) {
    if (startsWith(bytes, ascii('VP8 '), 12) && startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) return 'image/webp'
    if (startsWith(bytes, ascii('VP8L'), 12) && bytes[20] === 0x2f) return 'image/webp'
    if (startsWith(bytes, ascii('VP8X'), 12)) return 'image/webp'
  }
  return null
}

const calculators = { 'image/jpeg': JPG, 'image/png': PNG, 'image/webp': WEBP }

/**
 * What an uploaded file is: a JPEG, PNG or WebP with its decoded dimensions, or why it is refused. The dimensions
 * are read from the headers (JPEG SOF, PNG IHDR, WebP VP8/VP8L/VP8X) by image-size's parsers; a truncated or
 * malformed header is a refusal, never an exception.
 */
export function sniffImage(bytes: Uint8Array): SniffedImage | { refused: string } {
  const type = sniffType(bytes)
  if (!type) return { refused: 'Not a JPEG, PNG or WebP image (judged by its content, not its name)' }
  let size: { width?: number; height?: number }
  try {
    size = calculators[type].calculate(bytes)
  } catch {
    return { refused: `A truncated or malformed ${IMAGE_TYPES[type].toUpperCase()} header` }
  }
  const { width, height } = size
  if (!Number.isInteger(width) || !Number.isInteger(height) || !width || !height)
    return { refused: 'The image has no readable dimensions' }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE)
    return { refused: `The image is ${width}×${height} px; each side must be at least ${MIN_IMAGE_SIDE} px` }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    return {
      refused: `The image is ${width}×${height} px; at most ${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS / 1_000_000} megapixels`,
    }
  return { type, width, height }
}
