import { PING_INTERVAL_MS } from './live.events'

/** An SSE subscriber: who it is (for limits and closing) and how to reach it. */
export type Stream = {
  userId: string | null
  sessionId: string | null
  ip: string
  write: (text: string, id?: number) => void
  close: () => void
}

/**
 * An SSE subscriber (WHATWG HTML §9.2): each frame as `event: <frame type>` / `data: <JSON frame>`, with
 * `id: <event id>` on events so that EventSource's reconnect sends Last-Event-ID; a comment every
 * PING_INTERVAL_MS keeps intermediaries from timing the stream out and detects a gone client.
 */
export function openEventStream(
  streams: Set<Stream>,
  who: Omit<Stream, 'write' | 'close'>,
  greet: (write: Stream['write']) => void,
): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
  const writer = writable.getWriter()
  const encoder = new TextEncoder()
  let keepAlive: ReturnType<typeof setInterval> | undefined
  const stream: Stream = {
    ...who,
    write: (text, id) => {
      const type = /^\{"type":"([a-z]+)"/.exec(text)?.[1] ?? 'message'
      const chunk = `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${text}\n\n`
      writer.write(encoder.encode(chunk)).catch(() => stream.close())
    },
    close: () => {
      if (!streams.delete(stream)) return
      clearInterval(keepAlive)
      writer.close().catch(() => {})
    },
  }
  streams.add(stream)
  // A client that goes away cancels the response body, which errors the writable side: its slot (and the
  // connection limits it counts toward) is freed at once, not at the next keep-alive write.
  writer.closed.catch(() => stream.close())
  keepAlive = setInterval(() => {
    writer.write(encoder.encode(': ping\n\n')).catch(() => stream.close())
  }, PING_INTERVAL_MS)
  greet(stream.write)
  return new Response(readable, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8' } })
}
