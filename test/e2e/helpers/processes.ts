// Processes for the end-to-end checks: a fresh copy of the project (as a new clone would be), `npm run dev` in it,
// and waiting for an HTTP server to answer. Nothing here is a stand-in: the checks drive the real scripts, the
// real `wrangler dev` and a real browser.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { portInUse } from '../../../scripts/lib/port.ts'

export const PROJECT_ROOT = resolve(import.meta.dirname, '../../..')
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }

/**
 * The project's files as a fresh clone has them (tracked and not yet committed, minus git-ignored ones), in a
 * temporary directory that shares node_modules: no .dev.vars, no .wrangler state.
 */
export function freshCopy(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'folio-clone-'))
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean)
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    try {
      cpSync(join(PROJECT_ROOT, file), join(dir, file))
    } catch {
      // listed by git but deleted in the working tree
    }
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export type Running = { child: ChildProcess; output: () => string; stop: () => Promise<void> }

/** Starts `npm run <script> -- args` in its own process group (npm → tsx → wrangler → workerd), output kept. */
export function startNpm(
  cwd: string,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Running {
  const child = spawn('npm', ['run', '-s', script, '--', ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...WRANGLER_ENV, ...env },
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    const exited = new Promise((done) => child.once('exit', done))
    process.kill(-child.pid, 'SIGTERM')
    await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))])
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL')
  }
  return { child, output: () => output, stop }
}

/** Waits until `url` answers (any status below 500). */
export async function waitForHttp(url: string, server: Running, seconds = 180): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null)
      throw new Error(`the server exited with ${server.child.exitCode}:\n${server.output()}`)
    try {
      if ((await fetch(url)).status < 500) return
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 300))
  }
  throw new Error(`${url} did not answer within ${seconds} s:\n${server.output()}`)
}

/**
 * `npm run dev -- --port N [args]` in a fresh copy of the project: fresh .dev.vars, fresh local D1, demo catalog.
 * `host` is where to wait for it (pass `--ip` in args to change where it listens).
 */
export async function freshDevServer(port: number, extraArgs: string[] = [], host = 'localhost') {
  if (await portInUse(port, host))
    throw new Error(
      `port ${port} is already in use: stop the server there (or choose another port) and run again`,
    )
  const copy = freshCopy()
  const server = startNpm(copy.dir, 'dev', ['--port', String(port), ...extraArgs])
  try {
    await waitForHttp(`http://${host}:${port}/health`, server)
  } catch (error) {
    await server.stop()
    copy.remove()
    throw error
  }
  return {
    dir: copy.dir,
    output: server.output,
    stop: async () => {
      await server.stop()
      copy.remove()
    },
  }
}
