// The client's declarations, self-contained: the schema of every route (paths, inputs, outputs, statuses) as one
// literal type, read from the app by the TypeScript checker and written out in full, so a consumer's compiler
// needs `hono` only (no Workers types, zod or ES2023 libs).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ts from 'typescript'

const ROOT = resolve(import.meta.dirname, '..', '..')

// Expanding every alias leaves plain object literals; Date and functions stay themselves.
const PROBE = `import type { ExtractSchema } from 'hono/types'
import type { AppType } from '../../src/app'
type Expand<T> = T extends Date | ((...args: never[]) => unknown) ? T : T extends object ? { [K in keyof T]: Expand<T[K]> } : T
export type FolioSchema = Expand<ExtractSchema<AppType>>
`

export function schemaType(): string {
  const directory = join(ROOT, '.tmp', 'client-probe')
  mkdirSync(directory, { recursive: true })
  const probe = join(directory, 'probe.ts')
  writeFileSync(probe, PROBE)
  try {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
        },
      },
    )
    if (!config) throw new Error('tsconfig.json could not be read')
    const program = ts.createProgram([probe, join(ROOT, 'worker-configuration.d.ts')], config.options)
    const source = program.getSourceFile(probe)
    const checker = program.getTypeChecker()
    const alias = source?.statements.find(
      (statement): statement is ts.TypeAliasDeclaration =>
        ts.isTypeAliasDeclaration(statement) && statement.name.text === 'FolioSchema',
    )
    if (!alias) throw new Error('probe has no FolioSchema')
    const text = checker.typeToString(
      checker.getTypeAtLocation(alias.name),
      undefined,
      ts.TypeFormatFlags.NoTruncation |
        ts.TypeFormatFlags.InTypeAlias |
        ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType,
    )
    if (/\bExpand<|\bimport\(/.test(text))
      throw new Error(`the schema type did not expand fully: ${text.slice(0, 300)}`)
    return text
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
