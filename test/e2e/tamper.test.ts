// Tampering: rows of the log file edited, deleted, reordered or inserted behind the ledger's back
// (a second SQLite connection with the append-only triggers dropped). `ledger verify` names the
// first bad position; the server refuses to start on a broken chain with a message naming it,
// unless it is started read-only for forensics (then every command is a 503 that says why, and
// reads answer). A start verifies from the last clean checkpoint; what the checkpoint cannot see
// (a change before it) the full verify that follows the start finds. Sizes: LEDGER_STRESS=1
// measures the start check on a log of 1,000,000 events (20,000 in CI).
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';
import { checkChainAtStart, checkpointFileFor, readCheckpoint, writeCheckpoint } from '../../src/app/integrity/chain-check.js';
import { createServer } from '../../src/app/server.js';
import { testConfig } from '../api/support/server.js';
import type { NewEvent } from '../../src/store/event-store.js';
import { sqliteFileFor } from '../../src/store/open-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { buildLedger, runLedger, startChildServer } from './support/child-server.js';
import { api, command, type DataDir, headPosition, newDataDir, startInProcess, tokens } from './support/ledger-server.js';
import { writeSmallProgramme } from './support/small-programme.js';
import { deleteRow, editRow, headOf, insertRow, swapRows, truncateTail } from './support/tamper.js';

const STRESS = process.env.LEDGER_STRESS === '1';
const LARGE_LOG_EVENTS = STRESS ? 1_000_000 : 20_000;
const TAIL_EVENTS = 1_000;

const dirs: DataDir[] = [];
let pristine: DataDir;
let pristineHead = 0;

/** A copy of the pristine data directory (the log closed cleanly: the database file is all of it). */
function copyOfPristine(): DataDir {
  const copy = newDataDir('ledger-tamper-');
  dirs.push(copy);
  copyFileSync(sqliteFileFor(pristine.dataDir), sqliteFileFor(copy.dataDir));
  return copy;
}

const fileOf = (dir: DataDir): string => sqliteFileFor(dir.dataDir);

beforeAll(async () => {
  buildLedger();
  pristine = newDataDir('ledger-tamper-pristine-');
  dirs.push(pristine);
  const server = await startInProcess(pristine);
  await writeSmallProgramme(server.url);
  await server.close();
  rmSync(checkpointFileFor(pristine.dataDir), { force: true });
  for (const suffix of ['-wal', '-shm']) expect(existsSync(`${fileOf(pristine)}${suffix}`)).toBe(false);
  pristineHead = headOf(fileOf(pristine));
  expect(pristineHead).toBeGreaterThanOrEqual(14);
});
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

const tamperings: Array<[name: string, tamper: (file: string) => number]> = [
  ['an amount edited', (file) => editRow(file, 3)],
  ['an event deleted', (file) => deleteRow(file, 4)],
  ['two events reordered', (file) => swapRows(file, 5)],
  ['a forged event inserted in the middle', (file) => insertRow(file, 6, 3)],
  ['a forged event appended', (file) => insertRow(file, headOf(file) + 1, 3)],
];

describe('ledger verify and the start check name the first bad position', () => {
  it('`ledger verify` (a child process) names it for every kind of tampering, exit code 1', async () => {
    const cases = tamperings.map(([name, tamper]) => {
      const dir = copyOfPristine();
      return { name, dir, bad: tamper(fileOf(dir)) };
    });
    const runs = await Promise.all(cases.map((c) => runLedger(['verify', '--data-dir', c.dir.dataDir, '--json'])));
    cases.forEach((c, i) => {
      const run = runs[i]!;
      expect(run.code, `${c.name}: ${run.stderr}`).toBe(1);
      const result = JSON.parse(run.stdout) as { ok: boolean; firstBadPosition: string; problem: string };
      expect(result, c.name).toMatchObject({ ok: false, firstBadPosition: String(c.bad) });
    });
    const sound = await runLedger(['verify', '--data-dir', pristine.dataDir]);
    expect(sound.code).toBe(0);
    expect(sound.stdout).toMatch(new RegExp(`^ok: ${pristineHead} events`));
  });

  it.each(tamperings)('the server refuses to start: %s', async (_name, tamper) => {
    const dir = copyOfPristine();
    const bad = tamper(fileOf(dir));
    const start = startInProcess(dir);
    await expect(start).rejects.toMatchObject({ name: 'ChainBroken', firstBadPosition: BigInt(bad) });
    await expect(start).rejects.toThrow(new RegExp(`broken at position ${bad}:.*--read-only-forensics`));
    expect(headOf(fileOf(dir))).toBeGreaterThan(0); // nothing was opened for writing, nothing repaired
  });

  it('`ledger serve` prints the position and exits 1; with --read-only-forensics it serves reads and refuses commands', async () => {
    const dir = copyOfPristine();
    const bad = editRow(fileOf(dir), 7);
    const env = { LEDGER_DATA_DIR: dir.dataDir, LEDGER_TOKENS_FILE: dir.tokensFile, PORT: '0' };
    const refused = await runLedger(['serve'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`hash chain is broken at position ${bad}`);
    expect(refused.stderr).toContain('--read-only-forensics');
    expect(refused.stdout).not.toContain('listening');

    const child = await startChildServer({ dataDir: dir.dataDir, tokensFile: dir.tokensFile, args: ['--read-only-forensics'] });
    try {
      const head = await headPosition(child.url);
      const refusedCommand = await api(child.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 100 } });
      expect(refusedCommand.status).toBe(503);
      expect(refusedCommand.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refusedCommand.body.detail).toMatch(/read-only for forensics/);
      expect(refusedCommand.body.detail).toContain(`position ${bad}`);
      expect(await headPosition(child.url)).toBe(head);
      const verify = await api(child.url, 'GET', '/audit/verify', { token: tokens.auditor });
      expect(verify.status).toBe(200);
      expect(verify.body).toMatchObject({ ok: false });
      expect(String(verify.body.firstBadPosition)).toBe(String(bad));
      expect(child.output()).toContain(`broken at position ${bad}`);
    } finally {
      await child.kill('SIGTERM');
    }
  });
});

describe('read-only forensics', () => {
  it('answers reads, refuses every command with a 503 naming why, after authentication, and writes nothing', async () => {
    const dir = copyOfPristine();
    const bad = editRow(fileOf(dir), 3);
    const server = await startInProcess(dir, { forensics: true });
    try {
      expect(server.running.startCheck).toMatchObject({ ok: false, firstBadPosition: BigInt(bad) });
      expect(server.lines.join('\n')).toContain(`warning: the event log's hash chain is broken at position ${bad}`);
      const head = await headPosition(server.url);
      const commands: Array<[string, string, unknown]> = [
        ['/partners', tokens.manager, { partnerId: 'P-009', name: 'Late', kind: 'relationship', tier: 'standard' }],
        ['/partners/P-001/deposits', tokens.finance, { amount: 1 }],
        ['/deals', tokens.partner1, { dealId: 'D-909', partnerId: 'P-001', customer: { name: 'Forensic Co' } }],
        ['/payouts', tokens.finance, { quarter: '2025-Q1' }],
      ];
      for (const [route, token, body] of commands) {
        const answer = await api(server.url, 'POST', route, { token, body });
        expect(answer.status, route).toBe(503);
        expect(answer.body).toMatchObject({ type: 'urn:ledger:problem:unavailable', status: 503 });
        expect(answer.body.detail).toContain(`broken at position ${bad}`);
      }
      expect((await api(server.url, 'POST', '/partners/P-001/deposits', { body: { amount: 1 } })).status).toBe(401);
      expect((await api(server.url, 'POST', '/partners/P-001/deposits', { token: tokens.partner1, body: { amount: 1 } })).status).toBe(403);
      expect(await headPosition(server.url)).toBe(head);
      expect((await api(server.url, 'GET', '/events?from=1&limit=50', { token: tokens.auditor })).body.events).toHaveLength(head);
      expect((await api(server.url, 'GET', '/partners/P-002', { token: tokens.manager })).status).toBe(200);
      expect((await api(server.url, 'GET', '/audit/verify', { token: tokens.auditor })).body).toMatchObject({ ok: false });
    } finally {
      await server.close();
    }
    expect(headOf(fileOf(dir))).toBe(pristineHead);
    expect(readCheckpoint(checkpointFileFor(dir.dataDir))).toBeNull(); // forensics never records a checkpoint
  });

  it('loads no demo data set into an empty data directory (ledger serve --read-only-forensics, LEDGER_DEMO=on)', async () => {
    const empty = newDataDir('ledger-tamper-empty-');
    dirs.push(empty);
    const child = await startChildServer({ dataDir: empty.dataDir, tokensFile: empty.tokensFile, env: { LEDGER_DEMO: 'on', LEDGER_FORENSICS: 'on' } });
    try {
      expect(await headPosition(child.url)).toBe(0);
      expect(child.output()).not.toContain('loaded the demo data set');
    } finally {
      await child.kill('SIGTERM');
    }
  });

  it('refuses commands on a sound log too when asked (LEDGER_FORENSICS)', async () => {
    const dir = copyOfPristine();
    const server = await startInProcess(dir, { forensics: true });
    try {
      const answer = await api(server.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 1 } });
      expect(answer.status).toBe(503);
      expect(answer.body.detail).toMatch(/read-only for forensics/);
      expect((await api(server.url, 'GET', '/partners/P-001/balance', { token: tokens.finance })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('the checkpoint: a start verifies what is new, and sees what a chain alone cannot', () => {
  it('verifies everything at the first start, then only the events written since', async () => {
    const dir = copyOfPristine();
    const first = await startInProcess(dir);
    expect(first.running.startCheck).toMatchObject({ ok: true, mode: 'full', checkedEvents: pristineHead });
    expect(readCheckpoint(checkpointFileFor(dir.dataDir))).toMatchObject({ position: pristineHead, by: 'full' });
    await api(first.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 1 } });
    await api(first.url, 'POST', '/partners/P-002/deposits', { token: tokens.finance, body: { amount: 2 } });
    await first.close();
    const second = await startInProcess(dir);
    try {
      expect(second.running.startCheck).toMatchObject({ ok: true, mode: 'incremental', checkedEvents: 2, events: pristineHead + 2 });
      await second.running.backgroundVerify;
      expect(second.running.integrity.broken).toBeNull();
      expect(readCheckpoint(checkpointFileFor(dir.dataDir))).toMatchObject({ position: pristineHead + 2, by: 'full' });
    } finally {
      await second.close();
    }
  });

  it('refuses a log whose newest events were removed (the chain that is left is sound)', async () => {
    const dir = copyOfPristine();
    await (await startInProcess(dir)).close();
    const firstMissing = truncateTail(fileOf(dir), 3);
    const store = openSqliteEventStore({ file: fileOf(dir), readOnly: true });
    expect((await store.verify()).ok).toBe(true);
    await store.close();
    await expect(startInProcess(dir)).rejects.toMatchObject({ name: 'ChainBroken', firstBadPosition: BigInt(firstMissing) });
    await expect(startInProcess(dir)).rejects.toThrow(/were removed/);
  });

  it('`ledger verify` reads the checkpoint: removed newest events or a replaced log fail naming the position, exit 1', async () => {
    const truncated = copyOfPristine();
    await (await startInProcess(truncated)).close(); // the start writes the checkpoint at the head
    expect(readCheckpoint(checkpointFileFor(truncated.dataDir))).toMatchObject({ position: pristineHead });
    const sound = await runLedger(['verify', '--data-dir', truncated.dataDir]);
    expect(sound.code, sound.stderr).toBe(0);
    expect(sound.stdout).toMatch(new RegExp(`^ok: ${pristineHead} events`));
    const firstMissing = truncateTail(fileOf(truncated), 3);

    const replaced = copyOfPristine();
    await (await startInProcess(replaced)).close();
    const other = newDataDir('ledger-tamper-other-');
    dirs.push(other);
    const server = await startInProcess(other);
    await writeSmallProgramme(server.url);
    await server.close();
    copyFileSync(fileOf(other), fileOf(replaced));

    const [json, text, swapped] = await Promise.all([
      runLedger(['verify', '--data-dir', truncated.dataDir, '--json']),
      runLedger(['verify', '--data-dir', truncated.dataDir]),
      runLedger(['verify', '--data-dir', replaced.dataDir, '--json']),
    ]);
    expect(json.code, json.stderr).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBadPosition: String(firstMissing), events: firstMissing - 1, problem: expect.stringMatching(/were removed/) });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`^BROKEN at position ${firstMissing}: the log ends at position ${firstMissing - 1}`));
    expect(swapped.code, swapped.stderr).toBe(1);
    expect(JSON.parse(swapped.stdout)).toMatchObject({ ok: false, firstBadPosition: String(pristineHead), problem: expect.stringMatching(/rewritten or replaced/) });
    // verify only reads: the checkpoint is still there for the server's start to refuse too.
    expect(readCheckpoint(checkpointFileFor(truncated.dataDir))).toMatchObject({ position: pristineHead });
  });

  it('refuses a log replaced by another, itself sound, one', async () => {
    const dir = copyOfPristine();
    await (await startInProcess(dir)).close();
    const other = newDataDir('ledger-tamper-other-');
    dirs.push(other);
    const server = await startInProcess(other);
    await writeSmallProgramme(server.url);
    await server.close();
    copyFileSync(fileOf(other), fileOf(dir));
    await expect(startInProcess(dir)).rejects.toMatchObject({ name: 'ChainBroken', firstBadPosition: BigInt(pristineHead) });
    await expect(startInProcess(dir)).rejects.toThrow(/rewritten or replaced/);
  });

  it('finds a change before the checkpoint with the full verify after the start: commands refused, the next start refused', async () => {
    const dir = copyOfPristine();
    await (await startInProcess(dir)).close();
    const bad = editRow(fileOf(dir), 3);
    const server = await startInProcess(dir);
    try {
      expect(server.running.startCheck).toMatchObject({ ok: true, mode: 'incremental', checkedEvents: 0 });
      await server.running.backgroundVerify;
      expect(server.running.integrity.broken).toMatchObject({ firstBadPosition: BigInt(bad) });
      const answer = await api(server.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 1 } });
      expect(answer.status).toBe(503);
      expect(answer.body.detail).toContain(`broken at position ${bad}`);
      expect(server.lines.join('\n')).toContain(`found the event log's hash chain broken at position ${bad}`);
    } finally {
      await server.close();
    }
    expect(readCheckpoint(checkpointFileFor(dir.dataDir))).toBeNull();
    await expect(startInProcess(dir)).rejects.toMatchObject({ name: 'ChainBroken', firstBadPosition: BigInt(bad) });
  });
});

describe('/health says when commands are refused', () => {
  it('ok and accepted on a sound log; degraded, refused and why (still 200) in forensics and after the background verify finds a break', async () => {
    const soundDir = copyOfPristine();
    const sound = await startInProcess(soundDir);
    try {
      const health = await api(sound.url, 'GET', '/health', { token: tokens.auditor });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', commands: 'accepted', details: { commands: { status: 'up' } } });
      expect(health.body).not.toHaveProperty('reason');
    } finally {
      await sound.close();
    }

    const forensicsDir = copyOfPristine();
    const bad = editRow(fileOf(forensicsDir), 3);
    const forensics = await startInProcess(forensicsDir, { forensics: true });
    try {
      const health = await api(forensics.url, 'GET', '/health', { token: tokens.auditor });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', commands: 'refused', store: 'sqlite', position: pristineHead, details: { commands: { status: 'down' } } });
      // Anyone else learns that it is degraded, not why.
      expect((await api(forensics.url, 'GET', '/health')).body).toEqual({ status: 'degraded' });
      expect(health.body.reason).toMatch(/read-only for forensics/);
      expect(health.body.reason).toContain(`broken at position ${bad}`);
      // The same reason as the 503 a command gets.
      const refused = await api(forensics.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 1 } });
      expect(refused.status).toBe(503);
      expect(refused.body.detail).toBe(health.body.reason);
    } finally {
      await forensics.close();
    }

    const laterDir = copyOfPristine();
    await (await startInProcess(laterDir)).close();
    const badLater = editRow(fileOf(laterDir), 4);
    const later = await startInProcess(laterDir);
    try {
      await later.running.backgroundVerify;
      const health = await api(later.url, 'GET', '/health', { token: tokens.manager });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', commands: 'refused' });
      expect(health.body.reason).toContain(`broken at position ${badLater}`);
      expect(health.body.reason).not.toMatch(/forensics/);
    } finally {
      await later.close();
    }
  });
});

describe(`the start check on a long log (${LARGE_LOG_EVENTS} events)`, () => {
  it('hashes only the tail after the checkpoint', { timeout: STRESS ? 600_000 : 60_000 }, async () => {
    const dir = newDataDir('ledger-tamper-large-');
    dirs.push(dir);
    const file = fileOf(dir);
    const store = openSqliteEventStore({ file });
    try {
      await appendDeposits(store, LARGE_LOG_EVENTS - TAIL_EVENTS);
      const startedFullMs = performance.now();
      const full = await checkChainAtStart(store, null);
      const fullMs = performance.now() - startedFullMs;
      expect(full).toMatchObject({ ok: true, mode: 'full', checkedEvents: LARGE_LOG_EVENTS - TAIL_EVENTS });
      if (!full.ok) throw new Error('unreachable');
      const checkpoint = { position: full.events, hash: full.headHash, verifiedAt: new Date().toISOString(), by: 'full' as const };
      writeCheckpoint(checkpointFileFor(dir.dataDir), checkpoint);
      await appendDeposits(store, TAIL_EVENTS);
      const startedIncrementalMs = performance.now();
      const incremental = await checkChainAtStart(store, readCheckpoint(checkpointFileFor(dir.dataDir)));
      const incrementalMs = performance.now() - startedIncrementalMs;
      expect(incremental).toMatchObject({ ok: true, mode: 'incremental', checkedEvents: TAIL_EVENTS, events: LARGE_LOG_EVENTS });
      // A figure for the report, not an assertion: the machine is shared.
      console.log(
        `[tamper] start check on ${LARGE_LOG_EVENTS} events: full ${Math.round(fullMs)} ms ` +
          `(${Math.round(((LARGE_LOG_EVENTS - TAIL_EVENTS) / fullMs) * 1000)} events/s); ` +
          `incremental over the last ${TAIL_EVENTS}: ${Math.round(incrementalMs)} ms`,
      );
    } finally {
      await store.close();
    }
  });
});

/** Deposits in appends of 100 events, 64 appends in flight (the store's group commit). */
async function appendDeposits(store: ReturnType<typeof openSqliteEventStore>, count: number): Promise<void> {
  const perAppend = 100;
  const appends = Math.ceil(count / perAppend);
  for (let first = 0; first < appends; first += 64) {
    const batch: Array<Promise<unknown>> = [];
    for (let a = first; a < Math.min(appends, first + 64); a++) {
      const n = Math.min(perAppend, count - a * perAppend);
      const events: NewEvent[] = Array.from({ length: n }, (_, i) => ({
        eventId: randomUUID(),
        type: 'DepositPosted',
        data: { partnerId: `P-${a}`, amountFen: 1_000 + i },
        occurredAt: '2026-07-01T09:00:00.000Z',
        actor: { role: 'finance', id: 'fin-bob' },
      })) as NewEvent[];
      batch.push(store.append(`partner-P-${a}`, events, 'any'));
    }
    await Promise.all(batch);
  }
}

// ---- data at rest (issue #19 item 3) -------------------------------------------------------------------

/** Permission bits of a path. */
const modeOf = (file: string): number => statSync(file).mode & 0o777;

/** Every regular file directly in a directory, with its mode. */
const fileModes = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).filter((name) => statSync(path.join(dir, name)).isFile()).map((name) => [name, modeOf(path.join(dir, name)).toString(8)]));

describe('data at rest', () => {
  it('creates the data directory 0700 and keeps every file in it 0600 (the log, read models, idempotency records, their WAL and SHM, the checkpoint, the tokens); prints where the tokens are, never them', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'ledger-tamper-modes-'));
    try {
      const dataDir = path.join(parent, 'data');
      const lines: string[] = [];
      const config = testConfig(dataDir, '', lines, { tokensFile: null, requestLog: false });
      const first = await createServer(config, { logger: false });
      const generated = JSON.parse(readFileSync(first.tokens.file, 'utf8')).tokens as Array<{ token: string; role: string }>;
      const tokenOf = (role: string): string => generated.find((t) => t.role === role)!.token;
      try {
        await command(first.url, '/partners', tokenOf('manager'), { partnerId: 'P-001', name: 'Modes Co', kind: 'relationship', tier: 'gold' });
        await command(first.url, '/partners/P-001/deposits', tokenOf('finance'), { amount: 100 }, { 'Idempotency-Key': 'modes-1' });
      } finally {
        await first.close();
      }
      for (const t of generated) expect(lines.join('\n'), 'a token was printed').not.toContain(t.token);
      expect(lines.join('\n')).toContain(`API tokens: one per role in ${path.join(dataDir, 'tokens.json')}`);

      const second = await createServer(config, { logger: false }); // writes the chain checkpoint
      try {
        await command(second.url, '/partners/P-001/deposits', tokenOf('finance'), { amount: 200 });
        expect(modeOf(dataDir)).toBe(0o700);
        const running = fileModes(dataDir);
        for (const name of ['events.db', 'events.db-wal', 'events.db-shm', 'read-models.db', 'idempotency.db', 'chain-checkpoint.json', 'tokens.json']) {
          expect(Object.keys(running), name).toContain(name);
        }
        expect(Object.entries(running).filter(([, mode]) => mode !== '600'), 'files others may read while serving').toEqual([]);
      } finally {
        await second.close();
      }
      expect(Object.entries(fileModes(dataDir)).filter(([, mode]) => mode !== '600'), 'files others may read after a stop').toEqual([]);

      // A directory (and files) left open to others, by an older version or by hand, is narrowed at the next start.
      chmodSync(dataDir, 0o755);
      chmodSync(path.join(dataDir, 'events.db'), 0o644);
      const third = await createServer(config, { logger: false });
      await third.close();
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(path.join(dataDir, 'events.db'))).toBe(0o600);
      expect(lines.join('\n')).toContain(`the data directory ${dataDir} was open to other users (mode 755); it is now 700`);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('`ledger serve` with the demo data set on an empty directory: 0700, every file 0600, the tokens file named and no token printed', { timeout: 180_000 }, async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'ledger-tamper-serve-modes-'));
    const dataDir = path.join(parent, 'data');
    try {
      const child = await startChildServer({ dataDir, tokensFile: '', env: { LEDGER_DEMO: 'on', LEDGER_TOKENS_FILE: '' }, startTimeoutMs: 170_000 });
      try {
        expect(modeOf(dataDir)).toBe(0o700);
        expect(Object.entries(fileModes(dataDir)).filter(([, mode]) => mode !== '600')).toEqual([]);
        const generated = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')).tokens as Array<{ token: string }>;
        expect(generated.length).toBeGreaterThanOrEqual(4);
        for (const t of generated) expect(child.output(), 'a token was printed').not.toContain(t.token);
        expect(child.output()).toContain(path.join(dataDir, 'tokens.json'));
      } finally {
        await child.kill('SIGTERM');
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('the chain head anchored (LEDGER_ANCHOR_KEY)', () => {
  const KEY = 'anchor-key-for-the-tamper-suite-0123456789abcdef';
  const key = Buffer.from(KEY, 'utf8');

  /** A second, itself sound, log written the same way (other ids and times: other hashes). */
  async function otherSoundLog(): Promise<string> {
    const other = newDataDir('ledger-tamper-anchor-other-');
    dirs.push(other);
    const server = await startInProcess(other);
    await writeSmallProgramme(server.url);
    await server.close();
    return fileOf(other);
  }

  async function headOfFile(file: string): Promise<{ events: number; headHash: string }> {
    const store = openSqliteEventStore({ file, readOnly: true });
    try {
      const result = await store.verify();
      expect(result.ok).toBe(true);
      return { events: result.events, headHash: result.headHash };
    } finally {
      await store.close();
    }
  }

  it('refuses at start a checkpoint rewritten to match a replaced log (its HMAC does not verify); without a key the replacement goes unseen', async () => {
    const dir = copyOfPristine();
    await (await startInProcess(dir, { anchorKey: key })).close();
    const checkpointFile = checkpointFileFor(dir.dataDir);
    const anchored = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { position: number; hmac?: string };
    expect(anchored).toMatchObject({ position: pristineHead, hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // With the right key, the next start takes it (and anchors the next checkpoint).
    const again = await startInProcess(dir, { anchorKey: key });
    expect(again.running.startCheck).toMatchObject({ ok: true, mode: 'incremental' });
    await again.running.backgroundVerify;
    await again.close();

    // Someone with write access to the data directory, not to the key, replaces the log with
    // another sound one and rewrites the checkpoint to its head.
    const replacement = await otherSoundLog();
    copyFileSync(replacement, fileOf(dir));
    const forgedHead = await headOfFile(fileOf(dir));
    const forge = (hmac: string | undefined): void =>
      writeFileSync(checkpointFile, `${JSON.stringify({ position: forgedHead.events, hash: forgedHead.headHash, verifiedAt: new Date().toISOString(), by: 'full', ...(hmac ? { hmac } : {}) })}\n`);

    forge(anchored.hmac); // the old HMAC kept
    await expect(startInProcess(dir, { anchorKey: key })).rejects.toMatchObject({ name: 'ChainBroken', firstBadPosition: BigInt(forgedHead.events) });
    await expect(startInProcess(dir, { anchorKey: key })).rejects.toThrow(/HMAC does not verify with the anchor key/);
    forge(undefined); // no HMAC at all
    await expect(startInProcess(dir, { anchorKey: key })).rejects.toThrow(/carries no HMAC, and an anchor key is configured/);
    const wrongKey = Buffer.from('another-key-of-at-least-32-characters-0000', 'utf8');
    forge(undefined);
    writeCheckpoint(checkpointFile, { position: forgedHead.events, hash: forgedHead.headHash, verifiedAt: new Date().toISOString(), by: 'full' }, wrongKey);
    await expect(startInProcess(dir, { anchorKey: key })).rejects.toThrow(/HMAC does not verify/);
    // Forensics starts anyway, refusing commands.
    const forensics = await startInProcess(dir, { anchorKey: key, forensics: true });
    try {
      const refused = await api(forensics.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 1 } });
      expect(refused.status).toBe(503);
      expect(refused.body.detail).toMatch(/HMAC does not verify/);
    } finally {
      await forensics.close();
    }

    // The same replacement without a key: the start cannot tell (what the anchor is for).
    forge(undefined);
    const unanchored = await startInProcess(dir);
    expect(unanchored.running.startCheck).toMatchObject({ ok: true });
    await unanchored.close();
  });

  it('reads the key from LEDGER_ANCHOR_KEY or a file outside the data directory; refuses a short key and a key file inside it', () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'ledger-tamper-keyfile-'));
    try {
      const dataDir = path.join(parent, 'data');
      const outside = path.join(parent, 'anchor.key');
      writeFileSync(outside, `${KEY}\n`, { mode: 0o600 });
      expect(configFromEnv({ LEDGER_DATA_DIR: dataDir, LEDGER_ANCHOR_KEY: KEY }).anchorKey?.toString('utf8')).toBe(KEY);
      expect(configFromEnv({ LEDGER_DATA_DIR: dataDir, LEDGER_ANCHOR_KEY_FILE: outside }).anchorKey?.toString('utf8')).toBe(KEY);
      expect(configFromEnv({ LEDGER_DATA_DIR: dataDir }).anchorKey).toBeNull();
      expect(() => configFromEnv({ LEDGER_DATA_DIR: dataDir, LEDGER_ANCHOR_KEY: 'short' })).toThrow(ConfigError);
      expect(() => configFromEnv({ LEDGER_DATA_DIR: dataDir, LEDGER_ANCHOR_KEY_FILE: path.join(dataDir, 'anchor.key') })).toThrow(/LEDGER_ANCHOR_KEY_FILE must lie outside the data directory/);
      expect(() => configFromEnv({ LEDGER_DATA_DIR: dataDir, LEDGER_ANCHOR_KEY: KEY, LEDGER_ANCHOR_KEY_FILE: outside })).toThrow(/not both/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('`ledger verify` checks the checkpoint\'s HMAC with the key, and --anchor <hash>@<position> that a head published elsewhere is still in the chain', async () => {
    const dir = copyOfPristine();
    await (await startInProcess(dir, { anchorKey: key })).close();
    const published = await headOfFile(fileOf(dir));
    let atFive = '';
    const store = openSqliteEventStore({ file: fileOf(dir), readOnly: true });
    for await (const e of store.readAll({ fromPosition: 5n, toPosition: 5n })) atFive = e.hash;
    await store.close();
    const anchorArgs = ['--anchor', `${published.headHash}@${published.events}`, '--anchor', `${atFive}@5`];

    const sound = await runLedger(['verify', '--data-dir', dir.dataDir, ...anchorArgs], { LEDGER_ANCHOR_KEY: KEY });
    expect(sound.code, sound.stderr).toBe(0);
    expect(sound.stdout).toContain(`anchor ${published.headHash}@${published.events}: in the chain`);
    expect(sound.stdout).toContain(`anchor ${atFive}@5: in the chain`);
    const wrongKey = await runLedger(['verify', '--data-dir', dir.dataDir, '--json'], { LEDGER_ANCHOR_KEY: 'another-key-of-at-least-32-characters-0000' });
    expect(wrongKey.code, wrongKey.stderr).toBe(1);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ ok: false, problem: expect.stringMatching(/HMAC does not verify/) });

    // The log replaced by another sound one and the checkpoint deleted: nothing local can tell; the published head can.
    const replaced = copyOfPristine();
    copyFileSync(await otherSoundLog(), fileOf(replaced));
    const plain = await runLedger(['verify', '--data-dir', replaced.dataDir], { LEDGER_ANCHOR_KEY: KEY });
    expect(plain.code, plain.stderr).toBe(0);
    const caught = await runLedger(['verify', '--data-dir', replaced.dataDir, '--json', ...anchorArgs]);
    expect(caught.code, caught.stderr).toBe(1);
    expect(JSON.parse(caught.stdout)).toMatchObject({ ok: false, firstBadPosition: '5', problem: expect.stringMatching(/not the anchored .*rewritten or replaced/) });

    // Cut short before the published head.
    const cut = copyOfPristine();
    const firstMissing = truncateTail(fileOf(cut), 3);
    const short = await runLedger(['verify', '--data-dir', cut.dataDir, '--anchor', `${published.headHash}@${published.events}`]);
    expect(short.code).toBe(1);
    expect(short.stdout).toMatch(new RegExp(`^BROKEN at position ${firstMissing}: the log ends at position ${firstMissing - 1}, before the anchor's position ${published.events}`));

    const badSyntax = await runLedger(['verify', '--data-dir', dir.dataDir, '--anchor', 'not-a-hash@5']);
    expect(badSyntax.code).toBe(2);
    expect(badSyntax.stderr).toContain('--anchor needs <hash>@<position>');
    const keyInside = await runLedger(['verify', '--data-dir', dir.dataDir], { LEDGER_ANCHOR_KEY_FILE: path.join(dir.dataDir, 'anchor.key') });
    expect(keyInside.code).toBe(2);
  });
});
