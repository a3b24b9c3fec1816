import { harness } from '#harness'

/** A frame as the server sends it (JSON text); parsed by the tests with the protocol's own schemas. */
export type Frame = {
  type: string
  id?: number
  event?: string
  data?: Record<string, unknown>
  lastEventId?: number
}

/** A live WebSocket opened through the Worker (workerd: SELF.fetch with `Upgrade: websocket`). */
export type LiveSocket = {
  response: Response
  /** The next frame not yet taken (waits for it). */
  next: () => Promise<Frame>
  /** Waits for the close; its code. */
  closed: () => Promise<number>
  send: (text: string) => void
  close: () => void
}

export async function openLive(
  path: string,
  options: { token?: string; origin?: string; protocols?: string[] } = {},
): Promise<LiveSocket> {
  const protocols = options.protocols ?? [
    'folio.v1',
    ...(options.token ? [`folio.bearer.${options.token}`] : []),
  ]
  const headers: Record<string, string> = {
    Upgrade: 'websocket',
    'Sec-WebSocket-Protocol': protocols.join(', '),
  }
  if (options.origin) headers.Origin = options.origin
  const response = await harness.request(path, { headers })
  const socket = response.webSocket
  const queue: Frame[] = []
  const waiting: ((frame: Frame) => void)[] = []
  let closeCode: number | undefined
  const closeWaiters: ((code: number) => void)[] = []
  if (socket) {
    socket.accept()
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as Frame
      const waiter = waiting.shift()
      if (waiter) waiter(frame)
      else queue.push(frame)
    })
    socket.addEventListener('close', (event) => {
      closeCode = event.code
      for (const waiter of closeWaiters.splice(0)) waiter(event.code)
    })
  }
  return {
    response,
    next: () => {
      const frame = queue.shift()
      if (frame) return Promise.resolve(frame)
      return new Promise((resolve) => waiting.push(resolve))
    },
    closed: () =>
      closeCode !== undefined
        ? Promise.resolve(closeCode)
        : new Promise((resolve) => closeWaiters.push(resolve)),
    send: (text) => socket!.send(text),
    close: () => socket?.close(1000, 'done'),
  }
}

/** Frames until (and including) the first that `until` accepts. */
export async function framesUntil(socket: LiveSocket, until: (frame: Frame) => boolean): Promise<Frame[]> {
  const frames: Frame[] = []
  for (;;) {
    const frame = await socket.next()
    frames.push(frame)
    if (until(frame)) return frames
  }
}

/** The `sid` claim of an access token. */
export function sessionOf(token: string): string {
  const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
  return payload.sid
}

/** Waits (by reconnecting) until the channel behind `path` has stored event `id`: delivery follows the response. */
export async function untilStored(path: string, id: number, options: { token?: string } = {}): Promise<void> {
  for (;;) {
    const probe = await openLive(path, options)
    const ready = await framesUntil(probe, (frame) => frame.type === 'ready')
    probe.close()
    if ((ready.at(-1)?.lastEventId ?? 0) >= id) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
