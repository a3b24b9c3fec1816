import { describe, expect, it } from 'vitest'
import { sniffImage } from '../src/lib/image-type'
import { jpeg, png, webp, webpExtended } from './helpers/images'

const text = (value: string) => new TextEncoder().encode(value)
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

describe('cover images are judged by their bytes', () => {
  it('reads the type and dimensions of a JPEG, a PNG and a WebP (lossy and extended)', () => {
    expect(sniffImage(jpeg(600, 900))).toEqual({ type: 'image/jpeg', width: 600, height: 900 })
    expect(sniffImage(png(400, 640))).toEqual({ type: 'image/png', width: 400, height: 640 })
    expect(sniffImage(webp(320, 480))).toEqual({ type: 'image/webp', width: 320, height: 480 })
    expect(sniffImage(webpExtended(1200, 1800))).toEqual({ type: 'image/webp', width: 1200, height: 1800 })
  })

  it('refuses a PNG signature in front of a text file', () => {
    const fake = concat(png(1, 1).slice(0, 8), text('This is not an image at all, just some text.'))
    expect(sniffImage(fake)).toEqual({ refused: expect.stringMatching(/Not a JPEG, PNG or WebP/) })
  })

  it('refuses plain text, HTML and SVG whatever they are called', () => {
    for (const body of [
      'hello',
      '<html><script>alert(1)</script></html>',
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
    ])
      expect(sniffImage(text(body))).toHaveProperty('refused')
    expect(sniffImage(new Uint8Array())).toHaveProperty('refused')
  })

  it('refuses truncated headers without throwing', () => {
    const whole = jpeg(600, 900)
    for (const length of [2, 3, 4, 5, 6, 10, 20, 22, 25])
      expect(sniffImage(whole.slice(0, length)), `JPEG cut at ${length}`).toHaveProperty('refused')
    for (const length of [8, 16, 24, 30])
      expect(sniffImage(png(400, 640).slice(0, length))).toHaveProperty('refused')
    for (const length of [12, 16, 26, 28])
      expect(sniffImage(webp(320, 480).slice(0, length))).toHaveProperty('refused')
  })

  it('refuses a JPEG with no frame header (SOF), and hostile segment lengths', () => {
    const noFrame = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...new Array(64).fill(0)])
    expect(sniffImage(noFrame)).toHaveProperty('refused')
    const pointsPastTheEnd = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0x4a, 0x46])
    expect(sniffImage(pointsPastTheEnd)).toHaveProperty('refused')
  })

  it('refuses RIFF files that are not WebP, and VP8 chunks without their start code', () => {
    const wave = webp(320, 480)
    wave.set(text('WAVE'), 8)
    expect(sniffImage(wave)).toHaveProperty('refused')
    const noStartCode = webp(320, 480)
    noStartCode[23] = 0
    expect(sniffImage(noStartCode)).toHaveProperty('refused')
  })

  it('keeps dimensions sane: at least 16 px a side, at most 10,000 px and 40 megapixels', () => {
    expect(sniffImage(png(15, 600))).toEqual({ refused: expect.stringMatching(/at least 16 px/) })
    expect(sniffImage(png(0, 0))).toHaveProperty('refused')
    expect(sniffImage(png(10_001, 100))).toEqual({ refused: expect.stringMatching(/at most 10000 px/) })
    expect(sniffImage(png(8000, 8000))).toEqual({ refused: expect.stringMatching(/megapixels/) })
    expect(sniffImage(png(0xffffffff, 0xffffffff))).toHaveProperty('refused')
    expect(sniffImage(jpeg(10_000, 4000))).toEqual({ type: 'image/jpeg', width: 10_000, height: 4000 })
  })
})
