/**
 * Characters XML 1.0 cannot carry (§2.2, production `Char`): the C0 controls other than TAB, LF and CR (NUL
 * included), U+FFFE and U+FFFF, and lone surrogates (UTF-16 halves without their pair: not well-formed Unicode,
 * which UTF-8 cannot encode, so storage would turn them into U+FFFD). With the `u` flag a surrogate *pair* is one
 * code point above U+FFFF and does not match; only a lone half does.
 */
const FORBIDDEN = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF\\uD800-\\uDFFF]'
const FIRST_FORBIDDEN = new RegExp(FORBIDDEN, 'u')
const EVERY_FORBIDDEN = new RegExp(FORBIDDEN, 'gu')

const codePoint = (char: string) =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`

/** Why `text` cannot be stored and served as XML, or null when it can. */
export function forbiddenTextReason(text: string): string | null {
  const found = FIRST_FORBIDDEN.exec(text)?.[0]
  if (found === undefined) return null
  const unit = found.charCodeAt(0)
  if (unit >= 0xd800 && unit <= 0xdfff) {
    return `Contains a lone surrogate (${codePoint(found)}): not well-formed Unicode`
  }
  return `Contains ${codePoint(found)}, a character XML 1.0 forbids (control characters other than tab, line feed and carriage return, U+FFFE, U+FFFF)`
}

/** `text` with every character XML 1.0 forbids replaced by U+FFFD, so emitted XML is always well-formed. */
export function toXmlText(text: string): string {
  return FIRST_FORBIDDEN.test(text) ? text.replace(EVERY_FORBIDDEN, '\uFFFD') : text
}
