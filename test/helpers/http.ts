import { harness } from '#harness'

type JsonRequest = { token?: string; body?: unknown; headers?: Record<string, string> }

/** One helper for every request a test makes: JSON body, bearer token, extra headers. */
export function api(method: string, path: string, options: JsonRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.Authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['Content-Type'] ??= 'application/json'
  }
  return harness.request(path, { method, headers, body })
}

// Tests read bodies loosely on purpose: the assertions are the type check.
// biome-ignore lint/suspicious/noExplicitAny: response bodies in tests are asserted, not typed
export async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T
}
