import { Hono } from 'hono'
import type { AppEnv } from '../../env'

/**
 * The API reference at /docs: Scalar's standalone bundle, pinned (package.json devDependencies) and served by the
 * Worker's own static assets (wrangler.toml `[assets]`, filled by scripts/lib/docs-assets.ts), so the page works
 * offline and loads nothing from a CDN. The page carries no inline script: Scalar reads its configuration from a
 * JSON data block, which the browser never executes.
 */
export const SCALAR_VERSION = '1.72.1'
export const DOCS_SCRIPT_PATH = `/docs/assets/scalar-api-reference-${SCALAR_VERSION}.js`

/**
 * Same origin only (OWASP ASVS 14.4.3, CSP Level 3): scripts, fonts, images and fetches from 'self'; no inline
 * script. Styles allow 'unsafe-inline' because the reference's components set `style` attributes and inject their
 * stylesheet at run time; style injection cannot run script.
 */
export const DOCS_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
}

// Everything that would reach out to Scalar's services (fonts, telemetry, the hosted client, the agent) is off.
const configuration = {
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  agent: { disabled: true },
  mcp: { disabled: true },
  documentDownloadType: 'json',
  showDeveloperTools: 'never',
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Folio API reference</title>
  </head>
  <body>
    <script id="api-reference" type="application/json" data-url="/openapi.json" data-configuration="${escapeAttribute(JSON.stringify(configuration))}"></script>
    <script src="${DOCS_SCRIPT_PATH}"></script>
  </body>
</html>
`

export const docsRouter = new Hono<AppEnv>().get('/docs', (c) => {
  c.header('Cache-Control', 'no-cache')
  return c.html(page)
})
