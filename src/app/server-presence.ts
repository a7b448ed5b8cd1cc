// A running server announces itself in its data directory (`server.json`: its pid and address)
// and withdraws on close. A command-line writer that must not race the server's own decisions
// (`ledger policy adopt`: the server decides every payment under the policy history it holds)
// asks first and is refused while that server lives. A file left by a killed server names a
// process that is gone and counts for nothing.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PRIVATE_FILE_MODE } from './data-dir.js';

const ServerPresence = z.object({ pid: z.number().int().positive(), url: z.string(), startedAt: z.string() });
export type ServerPresence = z.infer<typeof ServerPresence>;

const presenceFileOf = (dataDir: string): string => path.join(dataDir, 'server.json');

/** Writes the presence file (owner-only), replacing one a dead server left. */
export function announceServer(dataDir: string, url: string): void {
  const presence: ServerPresence = { pid: process.pid, url, startedAt: new Date().toISOString() };
  writeFileSync(presenceFileOf(dataDir), `${JSON.stringify(presence)}\n`, { mode: PRIVATE_FILE_MODE });
}

/** Removes the presence file if it is this process's own. */
export function withdrawServer(dataDir: string): void {
  if (liveServerIn(dataDir)?.pid === process.pid) rmSync(presenceFileOf(dataDir), { force: true });
}

/** The server serving this data directory, or null (no file, an unreadable one, or its process is gone). */
export function liveServerIn(dataDir: string): ServerPresence | null {
  let parsed: ServerPresence;
  try {
    parsed = ServerPresence.parse(JSON.parse(readFileSync(presenceFileOf(dataDir), 'utf8')));
  } catch {
    return null;
  }
  return processLives(parsed.pid) ? parsed : null;
}

function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
