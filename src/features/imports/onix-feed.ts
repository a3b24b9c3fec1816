import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { FeedError, MAX_FEED_ROWS } from './csv-feed'
import type { FeedRecord } from './import-record'

/**
 * ONIX for Books 3.0 (EDItEUR), reference tags. What is read from each <Product>:
 *  - ISBN: ProductIdentifier with ProductIDType 15 (ISBN-13), else 02 (ISBN-10, converted);
 *  - title: TitleDetail (TitleType 01) › TitleElement (level 01) › TitleText or TitlePrefix + TitleWithoutPrefix,
 *    with its Subtitle;
 *  - authors: Contributor with ContributorRole A01, by SequenceNumber: PersonName, or NamesBeforeKey + KeyNames,
 *    or CorporateName;
 *  - subjects: Subject with SubjectSchemeIdentifier 10 (BISAC) or 93–99 (Thema), matched to subjects.code;
 *  - format: ProductForm BB hardcover, BC paperback, ED/EA e-book, AJ/AN/AC audiobook (others: no format);
 *  - language (LanguageRole 01, ISO 639-2), page count (Extent type 00 in pages), description (TextContent type
 *    03), publisher (PublishingRole 01), release date (PublishingDateRole 01);
 *  - price: SupplyDetail › Price, PriceType 02 (incl. tax) before 01 before any, PriceAmount + CurrencyCode;
 *  - stock: Stock › OnHand; without it, a ProductAvailability of 30–49 (not yet / no longer available) is 0.
 */

const FORMATS: Record<string, string> = {
  BB: 'hardcover',
  BC: 'paperback',
  ED: 'ebook',
  EA: 'ebook',
  AJ: 'audiobook',
  AN: 'audiobook',
  AC: 'audiobook',
}
const THEMA_SCHEMES = new Set(['93', '94', '95', '96', '97', '98', '99'])

const REPEATED = new Set([
  'Product',
  'ProductIdentifier',
  'TitleDetail',
  'TitleElement',
  'Contributor',
  'ContributorRole',
  'Language',
  'Extent',
  'Subject',
  'TextContent',
  'Text',
  'Publisher',
  'PublishingDate',
  'SupplyDetail',
  'Price',
  'Stock',
])

type Node = Record<string, unknown>

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // The five predefined entities and character references only: a DOCTYPE, the one place others could be declared,
  // is refused before parsing.
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => REPEATED.has(name),
})

const nodes = (value: unknown): Node[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is Node => typeof item === 'object' && item !== null,
  )
/** An element's text: a plain string, or the text of an element that also carries attributes. */
const text = (value: unknown): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value
  if (typeof first === 'string') return first
  if (first && typeof first === 'object' && typeof (first as Node)['#text'] === 'string')
    return (first as Node)['#text'] as string
  return undefined
}
const strings = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map((item) => text(item)).filter((item): item is string => !!item)

/**
 * Refuses any DOCTYPE or entity declaration before parsing: no external entity can be fetched and no entity can
 * expand (XXE, "billion laughs"; OWASP XML External Entity Prevention Cheat Sheet: disable DTDs entirely).
 */
export function refuseDocumentTypes(xml: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new FeedError(
      'DOCTYPE and entity declarations are refused (XXE prevention); ONIX 3.0 needs neither',
    )
}

function title(descriptive: Node): string | undefined {
  const details = nodes(descriptive.TitleDetail)
  const detail = details.find((item) => text(item.TitleType) === '01') ?? details[0]
  if (!detail) return undefined
  const elements = nodes(detail.TitleElement)
  const element = elements.find((item) => text(item.TitleElementLevel) === '01') ?? elements[0]
  if (!element) return undefined
  const prefixed = [text(element.TitlePrefix), text(element.TitleWithoutPrefix)].filter(Boolean).join(' ')
  const main = text(element.TitleText) ?? (prefixed || undefined)
  const subtitle = text(element.Subtitle)
  return main && subtitle ? `${main}: ${subtitle}` : main
}

function authors(descriptive: Node): string[] {
  return nodes(descriptive.Contributor)
    .filter((contributor) => strings(contributor.ContributorRole).includes('A01'))
    .sort((a, b) => Number(text(a.SequenceNumber) ?? 0) - Number(text(b.SequenceNumber) ?? 0))
    .map(
      (contributor) =>
        text(contributor.PersonName) ??
        ([text(contributor.NamesBeforeKey), text(contributor.KeyNames)].filter(Boolean).join(' ') ||
          text(contributor.CorporateName)),
    )
    .filter((name): name is string => !!name)
}

function subjectCodes(descriptive: Node): string[] {
  return nodes(descriptive.Subject)
    .filter((subject) => {
      const scheme = text(subject.SubjectSchemeIdentifier) ?? ''
      return scheme === '10' || THEMA_SCHEMES.has(scheme)
    })
    .map((subject) => text(subject.SubjectCode))
    .filter((code): code is string => !!code)
}

/** ONIX dates are YYYYMMDD by default (dateformat 00); YYYY-MM-DD is accepted too. */
function releaseDate(publishing: Node): { releaseDate?: string; publishedYear?: string } {
  const dates = nodes(publishing.PublishingDate)
  const date = text((dates.find((item) => text(item.PublishingDateRole) === '01') ?? dates[0])?.Date)
  if (!date) return {}
  const compact = date.replace(/-/g, '')
  if (/^\d{8}$/.test(compact))
    return { releaseDate: `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}` }
  if (/^\d{4}(\d{2})?$/.test(compact)) return { publishedYear: compact.slice(0, 4) }
  return { releaseDate: date }
}

function supply(product: Node): Pick<FeedRecord, 'price' | 'currency' | 'stock'> {
  const details = nodes(nodes(product.ProductSupply)[0]?.SupplyDetail)
  const detail = details.find((item) => nodes(item.Price).length > 0) ?? details[0]
  if (!detail) return {}
  const prices = nodes(detail.Price).filter((price) => text(price.PriceAmount) && text(price.CurrencyCode))
  const price =
    prices.find((item) => text(item.PriceType) === '02') ??
    prices.find((item) => text(item.PriceType) === '01') ??
    prices[0]
  const onHand = text(nodes(detail.Stock)[0]?.OnHand)
  const availability = text(detail.ProductAvailability) ?? ''
  const stock = onHand ?? (/^[34]\d$/.test(availability) ? '0' : undefined)
  return {
    ...(price ? { price: text(price.PriceAmount), currency: text(price.CurrencyCode) } : {}),
    ...(stock !== undefined ? { stock } : {}),
  }
}

function productRecord(product: Node, rowNumber: number): FeedRecord {
  const identifiers = nodes(product.ProductIdentifier)
  const isbn =
    text(identifiers.find((item) => text(item.ProductIDType) === '15')?.IDValue) ??
    text(identifiers.find((item) => text(item.ProductIDType) === '02')?.IDValue)
  if (text(product.NotificationType) === '05')
    return {
      rowNumber,
      isbn,
      problem: 'A delete notification (NotificationType 05) is not applied by imports',
    }
  if (!isbn) return { rowNumber, problem: 'No ISBN (ProductIdentifier with ProductIDType 15)' }
  const descriptive = nodes(product.DescriptiveDetail)[0] ?? {}
  const publishing = nodes(product.PublishingDetail)[0] ?? {}
  const form = text(descriptive.ProductForm)
  const languages = nodes(descriptive.Language)
  const language = text(
    (languages.find((item) => text(item.LanguageRole) === '01') ?? languages[0])?.LanguageCode,
  )
  const extent = nodes(descriptive.Extent).find(
    (item) => text(item.ExtentType) === '00' && (text(item.ExtentUnit) ?? '03') === '03',
  )
  const texts = nodes(nodes(product.CollateralDetail)[0]?.TextContent)
  const description = text(texts.find((item) => text(item.TextType) === '03')?.Text)
  const publishers = nodes(publishing.Publisher)
  const publisher = text(
    (publishers.find((item) => text(item.PublishingRole) === '01') ?? publishers[0])?.PublisherName,
  )
  const subjects = subjectCodes(descriptive)
  return {
    rowNumber,
    isbn,
    title: title(descriptive),
    authors: authors(descriptive),
    ...(description ? { description } : {}),
    language,
    ...releaseDate(publishing),
    ...supply(product),
    ...(publisher ? { publisher } : {}),
    ...(form && FORMATS[form] ? { format: FORMATS[form] } : {}),
    ...(extent ? { pageCount: text(extent.ExtentValue) } : {}),
    ...(subjects.length > 0 ? { subjectCodes: subjects } : {}),
  }
}

/** Every <Product> of an ONIX 3.0 message (reference tags), as records for the shared validator. */
export function parseOnixFeed(xml: string): FeedRecord[] {
  refuseDocumentTypes(xml)
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new FeedError(`Not well-formed XML (line ${valid.err.line}): ${valid.err.msg}`)
  let document: Node
  try {
    document = parser.parse(xml) as Node
  } catch {
    throw new FeedError('Not well-formed XML, or nested too deeply')
  }
  if (document.ONIXmessage) throw new FeedError('ONIX short tags are not supported; send reference tags')
  const message = nodes(document.ONIXMessage)[0]
  if (!message) throw new FeedError('Not an ONIX for Books message (no <ONIXMessage> root)')
  const release = (message['@_release'] as string | undefined) ?? ''
  if (release && !release.startsWith('3.')) throw new FeedError(`ONIX release ${release} is not 3.x`)
  const products = nodes(message.Product)
  if (products.length > MAX_FEED_ROWS)
    throw new FeedError(`More than ${MAX_FEED_ROWS} products; split the file`)
  return products.map((product, index) => productRecord(product, index + 1))
}
