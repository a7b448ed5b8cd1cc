#!/usr/bin/env node
// The `ledger` command: runs the compiled CLI (npm run build first; npm start does).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('ledger: the build is missing; run `npm run build` first.\n');
  process.exit(2);
}
await import(entry.href);
