import { XMLBuilder } from 'fast-xml-parser'
import type { Context } from 'hono'
import { accepts } from 'hono/accepts'
import { toXmlText } from '../lib/xml-chars'

const XML_TYPES = ['application/xml', 'text/xml']

/** True when the client's `Accept` header ranks XML above JSON (RFC 9110 §12.5.1 content negotiation). */
export function prefersXml(c: Context): boolean {
  const header = c.req.header('Accept')
  // Media types are case-insensitive (RFC 9110 §8.3.1): a cheap pre-check before the full negotiation.
  if (!header || !/xml/i.test(header)) return false
  const best = accepts(c, {
    header: 'Accept',
    supports: ['application/json', 'application/problem+json', ...XML_TYPES],
    default: 'application/json',
  })
  return XML_TYPES.includes(best)
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
})

/**
 * Arrays become `<item>` children, so an empty list is still an element and order is explicit. Strings (keys
 * too) lose any character XML 1.0 forbids (replaced by U+FFFD): input refuses them, but a row stored earlier or
 * an error echoing a field name must still give a well-formed document (XML 1.0 §2.2).
 */
function toXmlTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? { item: value.map(toXmlTree) } : ''
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [toXmlText(key), toXmlTree(field)]),
    )
  }
  if (typeof value === 'string') return toXmlText(value)
  return value === null ? '' : value
}

/**
 * The XML form of a JSON body. Resources use a `<response>` root; problem details use RFC 9457 Appendix B's
 * `<problem xmlns="urn:ietf:rfc:7807">`.
 */
export function jsonToXml(value: unknown, kind: 'resource' | 'problem'): string {
  const tree = toXmlTree(value) as Record<string, unknown>
  const root =
    kind === 'problem' ? { problem: { '@_xmlns': 'urn:ietf:rfc:7807', ...tree } } : { response: tree }
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(root)}`
}
