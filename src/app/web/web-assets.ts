// The report page's files (src/web), read once from the package root at start-up. There is no
// build step: the same files serve from `dist/` (npm start, the container) and from the tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebAsset {
  body: Buffer;
  contentType: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** At most this many directories up from this module to find the package root. */
const MAX_PARENT_DIRS = 8;

/** The folder holding the page: <package root>/src/web, found by walking up from this module. */
export function locateWebDir(startDir: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = startDir;
  for (let step = 0; step < MAX_PARENT_DIRS; step++) {
    const candidate = join(dir, 'src', 'web');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`the report page (src/web/index.html) was not found above ${startDir}; the image must copy src/web`);
}

const require = createRequire(import.meta.url);

/**
 * Libraries the page loads from its own origin (the CSP allows no other): ExcelJS's browser
 * build for the .xlsx downloads, loaded on the first one (export.js writes the workbook).
 */
export const vendorAssets: Readonly<Record<string, string>> = { 'vendor-exceljs.js': 'exceljs/dist/exceljs.min.js' };

/** The name of a file the page may serve: a flat name with a known extension, never a path. */
export const assetNamePattern = /^[a-z0-9][a-z0-9-]*\.(?:js|css|svg|html)$/;

/** Every servable file of the folder, by name, in memory (a few tens of kilobytes). */
export function loadWebAssets(webDir: string): ReadonlyMap<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  for (const name of readdirSync(webDir)) {
    if (!assetNamePattern.test(name)) continue;
    const extension = name.slice(name.lastIndexOf('.'));
    const contentType = contentTypes[extension];
    if (!contentType) continue;
    assets.set(name, { body: readFileSync(join(webDir, name)), contentType });
  }
  if (!assets.has('index.html')) throw new Error(`${webDir} has no index.html`);
  for (const [name, file] of Object.entries(vendorAssets)) {
    assets.set(name, { body: readFileSync(require.resolve(file)), contentType: contentTypes['.js']! });
  }
  return assets;
}

/** Headers every page response carries: nothing from elsewhere may load, nothing may frame it. */
export const pageSecurityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};
