import { connect } from 'node:net'

/** True when something already accepts connections at host:port (a server left running would answer for us). */
export function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
