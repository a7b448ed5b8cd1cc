// The data directory holds the whole ledger (the log, the read models, the idempotency records
// with their answers, the chain checkpoint and, by default, the API tokens): it is created owner-
// only (0700) and every file in it is kept owner-only (0600). SQLite creates a database's -wal and
// -shm files with the permissions of the database itself, so a database made 0600 keeps them so.
// A directory that already exists and is open to the group or others is narrowed to 0700, with a
// line saying so (or a warning when that is not allowed: another owner, a read-only mount).
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the data directory 0700, or narrows an existing one to 0700. */
export function preparePrivateDataDir(dataDir: string, print: (line: string) => void): void {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(dataDir, PRIVATE_DIR_MODE);
    print(`the data directory ${dataDir} was open to other users (mode ${mode.toString(8)}); it is now 700`);
  } catch (error) {
    print(`warning: the data directory ${dataDir} is open to other users (mode ${mode.toString(8)}) and cannot be narrowed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Makes every regular file directly in the data directory 0600 (symbolic links and directories are left alone). */
export function tightenDataFiles(dataDir: string): void {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dataDir, name);
    try {
      const stat = lstatSync(file);
      if (stat.isFile() && (stat.mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE_MODE);
    } catch {
      // gone in between (a WAL file at a checkpoint): nothing to narrow
    }
  }
}
