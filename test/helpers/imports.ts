import { expect } from 'vitest'
import { harness } from '#harness'
import { json } from './http'

/** POSTs a catalogue file as its raw body. */
export function uploadImport(
  token: string,
  body: BodyInit,
  type: string,
  headers: Record<string, string> = {},
) {
  return harness.request('/v1/admin/imports', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': type, ...headers },
    body,
  })
}

/**
 * Polls a job until it has finished: at once in Node (the job ran inline), after the Queue consumer's chunks in
 * workerd. A bounded number of polls, not a time limit: the assertion is on the job's state, not on speed.
 */
export async function finishedJob(token: string, id: string) {
  for (let poll = 0; poll < 600; poll++) {
    const response = await harness.request(`/v1/admin/imports/${id}`, {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    const job = await json(response)
    if (job.status === 'completed' || job.status === 'failed') return job
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`import ${id} did not finish`)
}

/** Uploads a file and waits for its job. */
export async function importFile(token: string, body: string, type = 'text/csv') {
  const response = await uploadImport(token, body, type)
  expect(response.status).toBe(202)
  const job = await json(response)
  expect(response.headers.get('Location')).toBe(`/v1/admin/imports/${job.id}`)
  return finishedJob(token, job.id)
}
