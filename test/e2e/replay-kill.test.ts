// `ledger replay` killed with SIGKILL half-way (a real child process on a real data directory)
// resumes from its checkpoint on the next run, to exactly the read models of an uninterrupted replay.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { appendSyntheticLog } from '../../src/bench/synthetic-log.js';
import { projectionNames, projectionModules } from '../../projections/schema.js';
import { openSteppingStore, syntheticLogOptions } from '../unit/projections/support/synthetic-store.js';
import { buildLedger, startChildServer } from './support/child-server.js';

const EVENTS = process.env.LEDGER_STRESS === '1' ? 400_000 : 40_000;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-replay-kill-'));
  dirs.push(dir);
  return dir;
}

async function writeLog(dir: string): Promise<void> {
  const store = openSteppingStore(dir);
  try {
    await appendSyntheticLog(store, syntheticLogOptions(EVENTS, 20, 700));
  } finally {
    await store.close();
  }
}

const childEnv = (dir: string) => ({ ...process.env, LEDGER_DATA_DIR: dir, LEDGER_DEMO: 'off' });

/** Runs `ledger replay --batch 100 [more]` and SIGKILLs it once its progress passes 10 %; resolves with how it ended. */
function replayKilledHalfWay(dir: string, more: string[] = []): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [buildLedger().main, 'replay', '--batch', '100', ...more], { env: childEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    const percents = [...stderr.matchAll(/\]\s+(\d+)%/g)].map((m) => Number(m[1]));
    if (percents.some((p) => p >= 10 && p < 100) && child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, stderr })));
}

function replay(dir: string, more: string[] = []): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [buildLedger().main, 'replay', ...more], { env: childEnv(dir), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** Every read-model row and checkpoint, in a stable order. */
function dump(dir: string): Record<string, unknown[]> {
  const db = new Database(path.join(dir, 'read-models.db'), { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const name of projectionNames) {
      for (const table of projectionModules[name].tables) out[table] = db.prepare(`SELECT * FROM ${table}`).all().map((r) => JSON.stringify(r)).sort();
    }
    out.checkpoints = db.prepare('SELECT * FROM checkpoints ORDER BY projection').all();
    return out;
  } finally {
    db.close();
  }
}

describe(`ledger replay killed with SIGKILL half-way (${EVENTS.toLocaleString('en-US')} events)`, () => {
  it('resumes from its checkpoint to the read models of an uninterrupted replay', async () => {
    const killed = tempDir();
    await writeLog(killed);
    const fresh = tempDir();
    fs.copyFileSync(path.join(killed, 'events.db'), path.join(fresh, 'events.db'));

    const first = await replayKilledHalfWay(killed);
    expect(first.signal, `the replay ended before it could be killed:\n${first.stderr}`).toBe('SIGKILL');

    const resumed = replay(killed);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming an interrupted replay from position [1-9]/);

    const uninterrupted = replay(fresh);
    expect(uninterrupted.status, uninterrupted.stderr).toBe(0);
    expect(uninterrupted.stderr).not.toMatch(/resuming/);
    expect(dump(killed)).toEqual(dump(fresh));
  }, 180_000);
});

describe(`a projection rebuilt beside the live ones, killed with SIGKILL half-way (${EVENTS.toLocaleString('en-US')} events)`, () => {
  it('resumes from its shadow checkpoint on the next run, to the rows of a fresh replay, the other projections untouched', async () => {
    const killed = tempDir();
    await writeLog(killed);
    const fresh = tempDir();
    fs.copyFileSync(path.join(killed, 'events.db'), path.join(fresh, 'events.db'));
    expect(replay(killed).status).toBe(0);
    expect(replay(fresh).status).toBe(0);
    // the file as an older programme left it: balances at version 0, in another shape
    const db = new Database(path.join(killed, 'read-models.db'));
    db.exec('ALTER TABLE balance_rows ADD COLUMN old_column INTEGER');
    db.prepare(`UPDATE meta SET value = '0' WHERE key = 'projectionVersion:balances'`).run();
    const others = db.prepare(`SELECT * FROM checkpoints WHERE projection <> 'balances' ORDER BY projection`).all();
    db.close();

    const first = await replayKilledHalfWay(killed, ['--projection', 'balances']);
    expect(first.signal, `the rebuild ended before it could be killed:\n${first.stderr}`).toBe('SIGKILL');
    expect(first.stderr).toMatch(/balances \[#*-*\]\s+\d+%\s+position [\d,]+\/[\d,]+\s+[\d,]+ events\/s\s+ETA/);
    const half = new Database(path.join(killed, 'read-models.db'), { readonly: true });
    const shadow = half.prepare(`SELECT position FROM checkpoints WHERE projection = 'balances@next'`).pluck().get() as number;
    expect(shadow).toBeGreaterThan(0);
    expect(shadow).toBeLessThan(EVENTS);
    expect(half.prepare(`SELECT * FROM checkpoints WHERE projection NOT LIKE 'balances%' ORDER BY projection`).all()).toEqual(others);
    half.close();

    const resumed = replay(killed, ['--projection', 'balances', '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming the rebuild of balances from position [1-9]/);
    const lines = resumed.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { projection: string; position: number; head: number; etaSeconds: number | null });
    expect(lines.length).toBeGreaterThan(0);
    const end = lines.at(-1)!;
    expect(end).toMatchObject({ projection: 'balances', position: end.head });
    expect(end.head).toBeGreaterThanOrEqual(EVENTS);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ projection: 'balances', position: end.head });
    expect(dump(killed)).toEqual(dump(fresh));
  }, 180_000);
});

describe(`a server rebuilding a projection beside the live ones, killed with SIGKILL half-way (${EVENTS.toLocaleString('en-US')} events)`, () => {
  it('resumes from its shadow checkpoint at the next start and switches to the rows of a fresh replay', async () => {
    const dir = tempDir();
    await writeLog(dir);
    expect(replay(dir).status).toBe(0);
    const db = new Database(path.join(dir, 'read-models.db'));
    db.exec('ALTER TABLE balance_rows ADD COLUMN old_column INTEGER');
    db.prepare(`UPDATE meta SET value = '0' WHERE key = 'projectionVersion:balances'`).run();
    db.close();
    const token = 'manager-token-0123456789abcdef';
    const tokensFile = path.join(dir, 'tokens.json');
    fs.writeFileSync(tokensFile, JSON.stringify({ tokens: [{ token, role: 'manager', name: 'mgr' }] }), { mode: 0o600 });
    const options = { dataDir: dir, tokensFile, env: { LEDGER_DEMO: 'off', LEDGER_REBUILD_BESIDE_BATCH: '100' } };
    type Rebuild = { projection: string; position: number; head: number; serving: string };
    const rebuilding = async (url: string): Promise<Rebuild[]> =>
      ((await (await fetch(`${url}/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { rebuilding: Rebuild[] }).rebuilding;

    const first = await startChildServer(options);
    let seen: Rebuild[] = [];
    for (let i = 0; i < 5_000; i++) {
      seen = await rebuilding(first.url);
      if (seen.length === 0 || seen[0]!.position > 0) break;
    }
    expect(seen[0], 'the rebuild ended before the server could be killed').toMatchObject({ projection: 'balances', serving: 'unavailable' });
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    const half = new Database(path.join(dir, 'read-models.db'), { readonly: true });
    const shadow = half.prepare(`SELECT position FROM checkpoints WHERE projection = 'balances@next'`).pluck().get() as number;
    half.close();
    expect(shadow).toBeGreaterThan(0);
    expect(shadow).toBeLessThan(EVENTS);

    const second = await startChildServer(options);
    try {
      const resumed = await rebuilding(second.url);
      if (resumed.length > 0) expect(resumed[0]!.position).toBeGreaterThanOrEqual(shadow); // not from the start
      for (let i = 0; i < 5_000 && (await rebuilding(second.url)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await rebuilding(second.url)).toEqual([]);
    } finally {
      await second.kill('SIGTERM');
    }
    const fresh = tempDir();
    fs.copyFileSync(path.join(dir, 'events.db'), path.join(fresh, 'events.db'));
    expect(replay(fresh).status).toBe(0);
    expect(dump(dir)).toEqual(dump(fresh));
  }, 180_000);
});
