// Where the running `npm run dev` listens, so other scripts (stripe:simulate) talk to it without being told.
// `npm run dev` writes the URL to the git-ignored .wrangler/dev-url when it starts and removes it when it stops.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export const DEV_URL_PATH = '.wrangler/dev-url'
export const DEFAULT_DEV_PORT = 8787

function flag(args: string[], name: string): string | undefined {
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))
  if (index < 0) return undefined
  const arg = args[index]!
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1]
}

/** The URL `wrangler dev <args>` serves, from the same flags wrangler reads (--port, --ip, --local-protocol). */
export function devUrlFromArgs(args: string[]): string {
  const port = flag(args, 'port') ?? String(DEFAULT_DEV_PORT)
  const ip = flag(args, 'ip') ?? 'localhost'
  const host = ip === '0.0.0.0' || ip === '::' || ip === '*' ? 'localhost' : ip.includes(':') ? `[${ip}]` : ip
  return `${flag(args, 'local-protocol') ?? 'http'}://${host}:${port}`
}

export function writeDevUrl(url: string): void {
  mkdirSync(dirname(DEV_URL_PATH), { recursive: true })
  writeFileSync(DEV_URL_PATH, `${url}\n`)
}

/** Removes the file if it still names this server (another `npm run dev` may have started since). */
export function clearDevUrl(url: string): void {
  if (readDevUrl() === url) rmSync(DEV_URL_PATH, { force: true })
}

export function readDevUrl(): string | undefined {
  return existsSync(DEV_URL_PATH) ? readFileSync(DEV_URL_PATH, 'utf8').trim() || undefined : undefined
}
