// The /docs page's files: Swagger UI from the swagger-ui-dist package (read once from
// node_modules at start-up, served from the ledger's own origin: no CDN, and the page's CSP
// allows no other), and the few lines that start it on /openapi.json.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DocsAsset {
  body: Buffer;
  contentType: string;
}

/** The files of swagger-ui-dist the page uses, by the name it serves them under (/docs/<name>). */
const LIBRARY_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/**
 * Starts Swagger UI on the document: try-it-out on (the bearer token through "Authorize"), no
 * online validator (it would send the document elsewhere), operations listed, models folded.
 */
export const DOCS_INIT_SCRIPT = `// Starts Swagger UI on the ledger's own OpenAPI document (served by the ledger: /openapi.json).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** Where swagger-ui-dist is installed (resolved like an import would be, from this module). */
export function swaggerUiDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

/** Every file /docs serves besides the page itself, in memory (about 2 MB). */
export function loadDocsAssets(libraryDir: string = swaggerUiDir()): ReadonlyMap<string, DocsAsset> {
  const assets = new Map<string, DocsAsset>();
  for (const [name, contentType] of Object.entries(LIBRARY_FILES)) assets.set(name, { body: readFileSync(join(libraryDir, name)), contentType });
  assets.set('init.js', { body: Buffer.from(DOCS_INIT_SCRIPT, 'utf8'), contentType: 'text/javascript; charset=utf-8' });
  return assets;
}

/**
 * The page's headers: scripts and styles from this origin only (Swagger UI sets inline styles),
 * requests ("try it out") to this origin only, never framed.
 */
export const docsSecurityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
