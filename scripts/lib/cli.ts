// The contract every `npm run <script>` keeps: stdout carries the script's result and nothing else, so
// `TOKEN=$(npm run -s token -- --email …)` captures exactly the token; progress, library chatter (wrangler's
// "Using secrets defined in .dev.vars", miniflare) and errors go to stderr. A failure is one sentence on stderr
// and exit code 1, never a stack trace (set FOLIO_DEBUG=1 to see one).
const writeStdout = process.stdout.write.bind(process.stdout)

/** From here on console.log & co. and direct process.stdout writes go to stderr; only result() reaches stdout. */
function reserveStdoutForResult(): void {
  const toStderr = (...args: unknown[]) => console.error(...args)
  console.log = toStderr
  console.info = toStderr
  console.debug = toStderr
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write
}

/** A failure the user can fix: printed as one sentence, without a stack trace. */
export class CliError extends Error {}

/** The script's result: the one thing written to stdout (a line of text, or JSON). */
export function result(value: string | object): void {
  writeStdout(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`)
}

/** A progress or diagnostic line, on stderr. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`)
}

/** Runs a script's main function; any error becomes one line on stderr and exit code 1. */
export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  reserveStdoutForResult()
  try {
    await main()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`${name}: ${message}\n`)
    if (process.env.FOLIO_DEBUG && error instanceof Error && !(error instanceof CliError)) {
      process.stderr.write(`${error.stack}\n`)
    }
    process.exitCode = 1
  }
}

/** Everything piped to stdin, without one trailing newline (`printf '%s' … |` and `echo … |` both work). */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new CliError('nothing is piped to stdin (e.g. printf "%s" "…" | npm run -s …)')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** Asks on the terminal without echoing what is typed (stderr carries the question). */
export async function promptHidden(question: string): Promise<string> {
  const input = process.stdin
  if (!input.isTTY)
    throw new CliError('stdin is not a terminal to prompt on: pipe the value and use --password-stdin')
  process.stderr.write(question)
  input.setRawMode(true)
  input.resume()
  input.setEncoding('utf8')
  let typed = ''
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (text: string) => {
        for (const char of text) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            input.off('data', onData)
            return resolve(typed)
          }
          if (char === '\u0003') {
            input.off('data', onData)
            return reject(new CliError('cancelled'))
          }
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1)
          else typed += char
        }
      }
      input.on('data', onData)
    })
  } finally {
    input.setRawMode(false)
    input.pause()
    process.stderr.write('\n')
  }
}
