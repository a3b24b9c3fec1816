import { withCheckDigit } from '../../src/lib/isbn'

/** A valid ISBN-13 no other test uses (random 9 digits after 978). */
export function uniqueIsbn(): string {
  return withCheckDigit(`978${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`)
}

export const CSV_HEADER =
  'isbn,title,authors,language,published_year,price,currency,stock,publisher,format,page_count,subjects'

type CsvRow = Partial<
  Record<
    | 'isbn'
    | 'title'
    | 'authors'
    | 'language'
    | 'published_year'
    | 'price'
    | 'currency'
    | 'stock'
    | 'publisher'
    | 'format'
    | 'page_count'
    | 'subjects',
    string
  >
>

/** One CSV line; cells with commas, quotes or line breaks are quoted (RFC 4180 §2.6–2.7). */
export function csvLine(row: CsvRow): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)
  return CSV_HEADER.split(',')
    .map((column) => quote(row[column as keyof CsvRow] ?? ''))
    .join(',')
}

export function csvRow(overrides: CsvRow = {}): CsvRow {
  return {
    isbn: uniqueIsbn(),
    title: 'The Imported Book',
    authors: 'Ada Writer;Bo Coauthor',
    language: 'en',
    published_year: '2021',
    price: '12.99',
    currency: 'EUR',
    stock: '5',
    publisher: 'Folio Press',
    format: 'paperback',
    page_count: '320',
    ...overrides,
  }
}

export function csvFile(rows: CsvRow[]): string {
  return [CSV_HEADER, ...rows.map(csvLine)].join('\r\n')
}

type OnixProduct = {
  isbn?: string
  title?: string
  authors?: string[]
  form?: string
  language?: string
  date?: string
  price?: string
  currency?: string
  onHand?: string
  availability?: string
  publisher?: string
  bisac?: string[]
  thema?: string[]
  pages?: string
  description?: string
}

const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** One ONIX 3.0 <Product> (reference tags) with the blocks an import reads. */
export function onixProduct(product: OnixProduct): string {
  const subjects = [
    ...(product.bisac ?? []).map(
      (code) =>
        `<Subject><SubjectSchemeIdentifier>10</SubjectSchemeIdentifier><SubjectCode>${code}</SubjectCode></Subject>`,
    ),
    ...(product.thema ?? []).map(
      (code) =>
        `<Subject><SubjectSchemeIdentifier>93</SubjectSchemeIdentifier><SubjectCode>${code}</SubjectCode></Subject>`,
    ),
  ].join('')
  const contributors = (product.authors ?? ['Ada Writer'])
    .map(
      (name, index) =>
        `<Contributor><SequenceNumber>${index + 1}</SequenceNumber><ContributorRole>A01</ContributorRole><PersonName>${xmlText(name)}</PersonName></Contributor>`,
    )
    .join('')
  return `<Product>
    <RecordReference>folio.test.${product.isbn}</RecordReference>
    <NotificationType>03</NotificationType>
    <ProductIdentifier><ProductIDType>01</ProductIDType><IDValue>internal-1</IDValue></ProductIdentifier>
    ${product.isbn ? `<ProductIdentifier><ProductIDType>15</ProductIDType><IDValue>${product.isbn}</IDValue></ProductIdentifier>` : ''}
    <DescriptiveDetail>
      <ProductComposition>00</ProductComposition>
      <ProductForm>${product.form ?? 'BC'}</ProductForm>
      <TitleDetail><TitleType>01</TitleType><TitleElement><TitleElementLevel>01</TitleElementLevel><TitleText>${xmlText(product.title ?? 'An ONIX Book')}</TitleText></TitleElement></TitleDetail>
      ${contributors}
      <Contributor><SequenceNumber>9</SequenceNumber><ContributorRole>B01</ContributorRole><PersonName>Ed Itor</PersonName></Contributor>
      <Language><LanguageRole>01</LanguageRole><LanguageCode>${product.language ?? 'eng'}</LanguageCode></Language>
      ${product.pages ? `<Extent><ExtentType>00</ExtentType><ExtentValue>${product.pages}</ExtentValue><ExtentUnit>03</ExtentUnit></Extent>` : ''}
      ${subjects}
    </DescriptiveDetail>
    ${product.description ? `<CollateralDetail><TextContent><TextType>03</TextType><ContentAudience>00</ContentAudience><Text>${xmlText(product.description)}</Text></TextContent></CollateralDetail>` : ''}
    <PublishingDetail>
      <Publisher><PublishingRole>01</PublishingRole><PublisherName>${xmlText(product.publisher ?? 'Onix House')}</PublisherName></Publisher>
      <PublishingDate><PublishingDateRole>01</PublishingDateRole><Date>${product.date ?? '20240115'}</Date></PublishingDate>
    </PublishingDetail>
    <ProductSupply><SupplyDetail>
      <Supplier><SupplierRole>01</SupplierRole><SupplierName>Folio Distribution</SupplierName></Supplier>
      <ProductAvailability>${product.availability ?? '21'}</ProductAvailability>
      ${product.onHand !== undefined ? `<Stock><OnHand>${product.onHand}</OnHand></Stock>` : ''}
      <Price><PriceType>01</PriceType><PriceAmount>9.00</PriceAmount><CurrencyCode>${product.currency ?? 'GBP'}</CurrencyCode></Price>
      <Price><PriceType>02</PriceType><PriceAmount>${product.price ?? '10.99'}</PriceAmount><CurrencyCode>${product.currency ?? 'GBP'}</CurrencyCode></Price>
    </SupplyDetail></ProductSupply>
  </Product>`
}

export function onixMessage(products: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ONIXMessage release="3.0" xmlns="http://ns.editeur.org/onix/3.0/reference">
  <Header><Sender><SenderName>Folio Tests</SenderName></Sender><SentDateTime>20260101T0000Z</SentDateTime></Header>
  ${products.join('\n')}
</ONIXMessage>`
}
