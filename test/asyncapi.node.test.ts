import { Parser } from '@asyncapi/parser'
import { describe, expect, it } from 'vitest'
import { api, json } from './helpers/http'

/**
 * AsyncAPI's own parser (@asyncapi/parser: the specification's JSON Schema plus its semantic rules) over the
 * published document. Node only: the parser is a development tool, not part of the Worker.
 */

// The parser's severities: 0 error, 1 warning, 2 information, 3 hint.
const ERROR_OR_WARNING = 1

async function problems(document: unknown) {
  const { diagnostics } = await new Parser().parse(JSON.stringify(document))
  return diagnostics
    .filter((diagnostic) => diagnostic.severity <= ERROR_OR_WARNING)
    .map((diagnostic) => `${diagnostic.code} at ${diagnostic.path.join('.')}: ${diagnostic.message}`)
}

describe('GET /asyncapi.json, parsed by @asyncapi/parser', () => {
  it('has no error and no warning', async () => {
    const document = await json(await api('GET', '/asyncapi.json'))
    expect(await problems(document)).toEqual([])
  })

  it('the parser does catch a broken document (an operation sending a message its channel lacks)', async () => {
    const document = await json(await api('GET', '/asyncapi.json'))
    document.operations.sendBookEvents.messages.push({ $ref: '#/channels/book/messages/adminOrderCreated' })
    delete document.components.messages.ready.payload
    document.components.messages.ready.payload = { $ref: '#/components/schemas/NoSuchSchema' }
    expect((await problems(document)).length).toBeGreaterThan(0)
  })
})
