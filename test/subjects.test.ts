import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { untilHit } from './helpers/edge-cache'
import { createBook, uniqueWord } from './helpers/fixtures'
import { api, json } from './helpers/http'
import { adminToken, customerToken } from './helpers/tokens'

async function createSubject(body: Record<string, unknown>) {
  const response = await api('POST', '/v1/subjects', { token: await adminToken(), body })
  if (response.status !== 201) throw new Error(`createSubject ${response.status}: ${await response.text()}`)
  return json(response)
}

async function patchSubject(id: string, body: Record<string, unknown>) {
  return api('PATCH', `/v1/subjects/${id}`, { token: await adminToken(), body })
}

const subject = async (ref: string) => json(await api('GET', `/v1/subjects/${ref}`))

/** Fiction › Fantasy › Epic, with unique names so each test has its own tree. */
async function threeLevels() {
  const tag = uniqueWord('s')
  const fiction = await createSubject({ name: `Fiction ${tag}` })
  const fantasy = await createSubject({ name: `Fantasy ${tag}`, parentId: fiction.id })
  const epic = await createSubject({
    name: `Épic ${tag}`,
    parentId: fantasy.id,
    code: `fic${tag.slice(1, 7)}`,
  })
  return { tag, fiction, fantasy, epic }
}

describe('the subject taxonomy', () => {
  it('creates subjects under parents, deriving slugs, and serves the tree and each subject', async () => {
    const { tag, fiction, fantasy, epic } = await threeLevels()
    expect(fiction).toMatchObject({ slug: `fiction-${tag}`, parentId: null, depth: 0, code: null })
    expect(fantasy).toMatchObject({ parentId: fiction.id, depth: 1 })
    expect(epic).toMatchObject({ slug: `epic-${tag}`, depth: 2, code: `FIC${tag.slice(1, 7).toUpperCase()}` })

    const tree = await json(await api('GET', '/v1/subjects'))
    const ids = tree.data.map((item: { id: string }) => item.id)
    expect(ids.indexOf(fiction.id)).toBeLessThan(ids.indexOf(fantasy.id))
    expect(ids.indexOf(fantasy.id)).toBe(ids.indexOf(epic.id) - 1)

    const bySlug = await subject(fantasy.slug)
    expect(bySlug.id).toBe(fantasy.id)
    expect(bySlug.ancestors).toEqual([{ id: fiction.id, name: fiction.name, slug: fiction.slug }])
    expect(bySlug.children).toEqual([{ id: epic.id, name: epic.name, slug: epic.slug }])
    expect((await subject(epic.id)).ancestors.map((item: { id: string }) => item.id)).toEqual([
      fiction.id,
      fantasy.id,
    ])
  })

  it('refuses a duplicate slug or code (409), an unknown parent and malformed fields (422)', async () => {
    const { fiction, epic } = await threeLevels()
    const token = await adminToken()
    const duplicate = await api('POST', '/v1/subjects', {
      token,
      body: { name: 'Other', slug: fiction.slug },
    })
    expect(duplicate.status).toBe(409)
    expect((await json(duplicate)).errors[0].pointer).toBe('/body/slug')
    const sameCode = await api('POST', '/v1/subjects', {
      token,
      body: { name: uniqueWord(), code: epic.code },
    })
    expect(sameCode.status).toBe(409)
    const orphan = await api('POST', '/v1/subjects', {
      token,
      body: { name: uniqueWord(), parentId: `sb_${'0'.repeat(26)}` },
    })
    expect(orphan.status).toBe(422)
    expect((await json(orphan)).errors[0].pointer).toBe('/body/parentId')
    for (const body of [
      { name: '' },
      { name: 'x', slug: 'Not A Slug' },
      { name: 'x', code: 'fic 009' },
      {},
    ]) {
      expect((await api('POST', '/v1/subjects', { token, body })).status).toBe(422)
    }
  })

  it('renames a subject keeping its slug, and moves a subtree with every descendant', async () => {
    const { fiction, fantasy, epic } = await threeLevels()
    const renamed = await patchSubject(fantasy.id, { name: 'Fantasy & Magic' })
    expect(renamed.status).toBe(200)
    expect(await json(renamed)).toMatchObject({ name: 'Fantasy & Magic', slug: fantasy.slug })

    const other = await createSubject({ name: uniqueWord('other') })
    const moved = await patchSubject(fantasy.id, { parentId: other.id })
    expect(moved.status).toBe(200)
    expect(await json(moved)).toMatchObject({ parentId: other.id, depth: 1 })
    const epicAfter = await subject(epic.id)
    expect(epicAfter.ancestors.map((item: { id: string }) => item.id)).toEqual([other.id, fantasy.id])
    expect((await subject(fiction.id)).children).toEqual([])

    const toTop = await patchSubject(fantasy.id, { parentId: null })
    expect(await json(toTop)).toMatchObject({ parentId: null, depth: 0 })
    expect(await subject(epic.id)).toMatchObject({ depth: 1 })

    // Each admin change is in the audit log, with the state before and after; a refused one is not.
    expect((await patchSubject(fantasy.id, { parentId: epic.id })).status).toBe(422)
    const audit = await json(
      await api('GET', `/v1/admin/audit?targetId=${fantasy.id}`, { token: await adminToken() }),
    )
    expect(audit.data.map((entry: { action: string }) => entry.action)).toEqual([
      'subject.update',
      'subject.update',
      'subject.update',
      'subject.create',
    ])
    expect(audit.data[1]).toMatchObject({
      targetType: 'subject',
      before: { parentId: fiction.id, name: 'Fantasy & Magic' },
      after: { parentId: other.id, name: 'Fantasy & Magic' },
    })
  })

  it('refuses cycles: a subject cannot move under itself or one of its descendants', async () => {
    const { fiction, fantasy, epic } = await threeLevels()
    for (const [id, parentId] of [
      [fiction.id, fiction.id],
      [fiction.id, epic.id],
      [fantasy.id, epic.id],
    ]) {
      const response = await patchSubject(id!, { parentId })
      expect(response.status).toBe(422)
      expect((await json(response)).errors[0]).toEqual({
        pointer: '/body/parentId',
        detail: 'Would make a cycle',
      })
    }
    expect(await subject(epic.id)).toMatchObject({ parentId: fantasy.id, depth: 2 })
  })

  it('two concurrent moves that would together make a cycle: one wins, the other is refused', async () => {
    const tag = uniqueWord('race')
    const a = await createSubject({ name: `A ${tag}` })
    const b = await createSubject({ name: `B ${tag}` })
    const [aUnderB, bUnderA] = await Promise.all([
      patchSubject(a.id, { parentId: b.id }),
      patchSubject(b.id, { parentId: a.id }),
    ])
    const statuses = [aUnderB.status, bUnderA.status].sort()
    expect(statuses[0]).toBe(200)
    expect([409, 422]).toContain(statuses[1])
    const [afterA, afterB] = [await subject(a.id), await subject(b.id)]
    const parents = [afterA.parentId, afterB.parentId]
    expect(parents.filter((parent) => parent !== null)).toHaveLength(1)
    expect(afterA.ancestors.map((item: { id: string }) => item.id)).not.toContain(a.id)
    expect(afterB.ancestors.map((item: { id: string }) => item.id)).not.toContain(b.id)
    expect(afterA.depth + afterB.depth).toBe(1)
  })

  it('refuses a tree deeper than eight levels', async () => {
    let parent = await createSubject({ name: uniqueWord('deep') })
    for (let level = 1; level < 8; level++)
      parent = await createSubject({ name: uniqueWord(), parentId: parent.id })
    expect(parent.depth).toBe(7)
    const tooDeep = await api('POST', '/v1/subjects', {
      token: await adminToken(),
      body: { name: uniqueWord(), parentId: parent.id },
    })
    expect(tooDeep.status).toBe(422)
  })

  it('deletes only leaves (409 with children), and a deleted subject leaves its books unfiled', async () => {
    const { fantasy, epic } = await threeLevels()
    const token = await adminToken()
    const book = await createBook({ subjectIds: [epic.id] })
    const refused = await api('DELETE', `/v1/subjects/${fantasy.id}`, { token })
    expect(refused.status).toBe(409)
    expect((await api('DELETE', `/v1/subjects/${epic.id}`, { token })).status).toBe(204)
    expect((await api('GET', `/v1/subjects/${epic.id}`)).status).toBe(404)
    expect((await json(await api('GET', `/v1/books/${book.id}`))).subjects).toEqual([])
    expect((await api('DELETE', `/v1/subjects/${epic.id}`, { token })).status).toBe(404)
  })

  it('is managed by admins only', async () => {
    const token = await customerToken()
    expect((await api('POST', '/v1/subjects', { token, body: { name: uniqueWord() } })).status).toBe(403)
    expect((await api('POST', '/v1/subjects', { body: { name: uniqueWord() } })).status).toBe(401)
  })

  it('answers 404 for an unknown id or slug, and 400 for a malformed one', async () => {
    expect((await api('GET', '/v1/subjects/no-such-subject')).status).toBe(404)
    expect((await api('GET', `/v1/subjects/${encodeURIComponent('<script>')}`)).status).toBe(400)
  })
})

describe('filing books under subjects', () => {
  it('files a book under several subjects, and lists books of a subject with its descendants', async () => {
    const { fiction, fantasy, epic } = await threeLevels()
    const epicBook = await createBook({ subjectIds: [epic.id] })
    const bothBook = await createBook({ subjectIds: [fiction.id, fantasy.id] })
    await createBook()
    expect(epicBook.subjects).toEqual([{ id: epic.id, name: epic.name, slug: epic.slug }])
    expect(bothBook.subjects.map((item: { id: string }) => item.id).sort()).toEqual(
      [fiction.id, fantasy.id].sort(),
    )

    const ids = async (ref: string) =>
      (await json(await api('GET', `/v1/books?subject=${ref}`))).data.map((book: { id: string }) => book.id)
    expect((await ids(fiction.slug)).sort()).toEqual([epicBook.id, bothBook.id].sort())
    expect((await ids(fantasy.id)).sort()).toEqual([epicBook.id, bothBook.id].sort())
    expect(await ids(epic.slug)).toEqual([epicBook.id])
    const list = await json(await api('GET', `/v1/books?subject=${epic.slug}`))
    expect(list.data[0].subjects).toEqual([{ id: epic.id, name: epic.name, slug: epic.slug }])
  })

  it('replaces the filing on update, and clears it with an empty list', async () => {
    const { fiction, epic } = await threeLevels()
    const book = await createBook({ subjectIds: [epic.id] })
    const token = await adminToken()
    const moved = await api('PATCH', `/v1/books/${book.id}`, { token, body: { subjectIds: [fiction.id] } })
    expect((await json(moved)).subjects.map((item: { id: string }) => item.id)).toEqual([fiction.id])
    const cleared = await api('PATCH', `/v1/books/${book.id}`, { token, body: { subjectIds: [] } })
    expect((await json(cleared)).subjects).toEqual([])
  })

  it('refuses unknown, repeated or too many subjects, changing nothing', async () => {
    const { epic } = await threeLevels()
    const book = await createBook({ subjectIds: [epic.id] })
    const token = await adminToken()
    const unknown = `sb_${'0'.repeat(26)}`
    const response = await api('PATCH', `/v1/books/${book.id}`, {
      token,
      body: { subjectIds: [epic.id, unknown] },
    })
    expect(response.status).toBe(422)
    expect((await json(response)).errors).toEqual([
      { pointer: '/body/subjectIds/1', detail: 'Unknown subject' },
    ])
    const repeated = await api('PATCH', `/v1/books/${book.id}`, {
      token,
      body: { subjectIds: [epic.id, epic.id] },
    })
    expect(repeated.status).toBe(422)
    const many = Array.from({ length: 51 }, () => epic.id.replace(/.{4}$/, () => uniqueWord('').slice(0, 4)))
    const tooMany = await api('PATCH', `/v1/books/${book.id}`, { token, body: { subjectIds: many } })
    expect(tooMany.status).toBe(422)
    expect(JSON.stringify(await json(tooMany))).toContain('At most 50 subjects per book')
    expect(
      (await json(await api('GET', `/v1/books/${book.id}`))).subjects.map((s: { id: string }) => s.id),
    ).toEqual([epic.id])
  })

  it('keeps the filing when a guarded update is refused (not enough stock)', async () => {
    const { fiction, epic } = await threeLevels()
    const book = await createBook({ subjectIds: [epic.id], stock: 1 })
    const response = await api('PATCH', `/v1/books/${book.id}`, {
      token: await adminToken(),
      body: { stockAdjustment: -5, subjectIds: [fiction.id] },
    })
    expect(response.status).toBe(409)
    expect(
      (await json(await api('GET', `/v1/books/${book.id}`))).subjects.map((s: { id: string }) => s.id),
    ).toEqual([epic.id])
  })

  it('answers 400 for a subject filter that names no subject', async () => {
    const response = await api('GET', '/v1/books?subject=no-such-subject')
    expect(response.status).toBe(400)
    expect((await json(response)).errors[0].pointer).toBe('/query/subject')
  })

  it('retires cached catalog pages when a subject is renamed or a book is filed', async () => {
    const { fiction, epic } = await threeLevels()
    const book = await createBook({ subjectIds: [epic.id] })
    const request = () => api('GET', `/v1/books?subject=${fiction.slug}`)
    const list = async () => json(await request())
    const tree = async () => json(await api('GET', '/v1/subjects'))
    if (harness.runtime === 'workerd') {
      // Served from the edge cache before the change, so what follows proves the change retired the entry.
      const { second } = await untilHit(request, request)
      expect((await json(second)).data[0].subjects[0].name).toBe(epic.name)
      await untilHit(
        () => api('GET', '/v1/subjects'),
        () => api('GET', '/v1/subjects'),
      )
    }
    expect((await list()).data[0].subjects[0].name).toBe(epic.name)

    expect((await patchSubject(epic.id, { name: 'Epic, renamed' })).status).toBe(200)
    expect((await list()).data[0].subjects[0].name).toBe('Epic, renamed')
    expect((await tree()).data.find((item: { id: string }) => item.id === epic.id).name).toBe('Epic, renamed')
    expect((await subject(epic.slug)).name).toBe('Epic, renamed')

    const other = await createBook()
    await api('GET', `/v1/books?subject=${fiction.slug}`)
    const filed = await api('PATCH', `/v1/books/${other.id}`, {
      token: await adminToken(),
      body: { subjectIds: [fiction.id] },
    })
    expect(filed.status).toBe(200)
    expect((await list()).data.map((item: { id: string }) => item.id).sort()).toEqual(
      [book.id, other.id].sort(),
    )
  })
})
