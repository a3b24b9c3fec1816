import { harness } from '#harness'

/** The reference script the /docs page names; docs.node.test.ts and docs.workerd.test.ts check it in their runtime. */
export async function docsScriptPath(): Promise<string> {
  const page = await (await harness.request('/docs')).text()
  return page.match(/<script src="([^"]+)"/)?.[1] ?? ''
}
