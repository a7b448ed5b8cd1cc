// `ledger export` / `ledger import`: the whole log as NDJSON, round-tripped through a real SQLite
// store in temporary directories; a tampered file is refused naming the position, writing nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportCommand, exportLog } from '../../src/cli/commands/export.js';
import { importCommand, ImportRefusedError, verifyExportFile } from '../../src/cli/commands/import.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import type { EventStore, NewEvent } from '../../src/store/event-store.js';
import { sqliteFileFor } from '../../src/store/open-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-export-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const manager = { role: 'manager' as const, id: 'm-1' };

function signed(partnerId: string, occurredAt: string): NewEvent {
  return {
    type: 'PartnerSigned',
    data: { partnerId, name: `Partner ${partnerId}`, kind: 'relationship', tier: 'gold', parentPartnerId: null, territory: null },
    eventId: randomUUID(),
    occurredAt,
    actor: manager,
    commandId: null,
  };
}

function deposit(partnerId: string, amountFen: number, occurredAt: string): NewEvent {
  return { type: 'DepositPosted', data: { partnerId, amountFen }, eventId: randomUUID(), occurredAt, actor: { role: 'finance', id: 'f-1' } };
}

/** A small log with several recordedAt instants and several streams, appended through the port. */
async function writeLog(dataDir: string): Promise<void> {
  let tick = 0;
  const store = openSqliteEventStore({ file: sqliteFileFor(dataDir), clock: () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, tick++ * 7)).toISOString() });
  try {
    await store.append('partner-P-1', [signed('P-1', '2025-01-01T00:00:00.000Z')], 'no-stream');
    await Promise.all([
      store.append('partner-P-2', [signed('P-2', '2025-01-02T00:00:00.000Z'), deposit('P-2', 4_000_000, '2025-01-03T00:00:00.000Z')], 'no-stream'),
      store.append('partner-P-1', [deposit('P-1', 9_000_000, '2025-01-04T00:00:00.000Z')], 0n),
    ]);
    await store.append('partner-P-1', [deposit('P-1', 123_457, '2025-02-01T00:00:00.000Z')], 1n);
  } finally {
    await store.close();
  }
}

async function readEverything(store: EventStore): Promise<EventEnvelope[]> {
  const all: EventEnvelope[] = [];
  for await (const e of store.readAll()) all.push(e);
  return all;
}

async function exportTo(dataDir: string, file: string): Promise<void> {
  const store = openSqliteEventStore({ file: sqliteFileFor(dataDir), readOnly: true });
  const out = createWriteStream(file);
  try {
    await exportLog(store, out);
  } finally {
    out.end();
    await once(out, 'finish');
    await store.close();
  }
}

/** Runs a command with stdout and stderr captured. */
async function runQuietly(run: () => Promise<number>): Promise<{ code: number; stderr: string; stdout: string }> {
  const writes = { stdout: '', stderr: '' };
  const original = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((writes.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((writes.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), ...writes };
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
}

describe('ledger export / ledger import', () => {
  it('round-trips the log: every position, revision, both times and every hash as exported', async () => {
    const source = tempDir();
    await writeLog(source);
    const file = path.join(tempDir(), 'log.ndjson');
    const exported = await runQuietly(() => exportCommand.run(['--data-dir', source, '--out', file]));
    expect(exported.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ position: 1, revision: 0, type: 'PartnerSigned' });

    const target = tempDir();
    const imported = await runQuietly(() => importCommand.run([file, '--data-dir', target]));
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);

    const before = openSqliteEventStore({ file: sqliteFileFor(source), readOnly: true });
    const after = openSqliteEventStore({ file: sqliteFileFor(target), readOnly: true });
    try {
      expect(await readEverything(after)).toEqual(await readEverything(before));
      const verified = await after.verify();
      expect(verified).toMatchObject({ ok: true, events: 5, headHash: (await before.verify()).headHash });
    } finally {
      await before.close();
      await after.close();
    }
  });

  it('refuses a tampered file naming the position, and writes nothing', async () => {
    const source = tempDir();
    await writeLog(source);
    const file = path.join(tempDir(), 'log.ndjson');
    await exportTo(source, file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = (lines[3] as string).replace('"amountFen":9000000', '"amountFen":9900000');
    writeFileSync(file, lines.join('\n'));

    await expect(verifyExportFile(file)).rejects.toThrow(ImportRefusedError);
    await expect(verifyExportFile(file)).rejects.toMatchObject({ position: 4n, lineNumber: 4 });

    const target = tempDir();
    const result = await runQuietly(() => importCommand.run([file, '--data-dir', target]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused, nothing written: position 4 \(line 4\): hash mismatch/);
    const store = openSqliteEventStore({ file: sqliteFileFor(target) });
    try {
      expect(await store.headPosition()).toBe(0n);
    } finally {
      await store.close();
    }
  });

  it('refuses a file with a missing event, naming the missing position', async () => {
    const source = tempDir();
    await writeLog(source);
    const file = path.join(tempDir(), 'log.ndjson');
    await exportTo(source, file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 1);
    writeFileSync(file, lines.join('\n'));
    await expect(verifyExportFile(file)).rejects.toMatchObject({ position: 2n, problem: expect.stringMatching(/position 2 is missing/) });
  });

  it('refuses a well-chained file whose history breaks a rule of the ledger (checked as commands are), writing nothing', async () => {
    const source = tempDir();
    // Written through the store's port, past the commands: a deposit for a partner never signed.
    const store = openSqliteEventStore({ file: sqliteFileFor(source) });
    try {
      await store.append('partner-P-1', [signed('P-1', '2025-01-01T00:00:00.000Z')], 'no-stream');
      await store.append('partner-P-9', [deposit('P-9', 5_000, '2025-01-02T00:00:00.000Z')], 'no-stream');
    } finally {
      await store.close();
    }
    const file = path.join(tempDir(), 'log.ndjson');
    await exportTo(source, file);
    await expect(verifyExportFile(file)).rejects.toMatchObject({ position: 2n, lineNumber: 2, problem: expect.stringMatching(/DepositPosted breaks a rule of the ledger: .*before its PartnerSigned/) });

    const target = tempDir();
    const result = await runQuietly(() => importCommand.run([file, '--data-dir', target]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused, nothing written: position 2 \(line 2\): DepositPosted breaks a rule/);
    const after = openSqliteEventStore({ file: sqliteFileFor(target) });
    try {
      expect(await after.headPosition()).toBe(0n);
    } finally {
      await after.close();
    }
  });

  it('refuses to import into a data directory that already holds events', async () => {
    const source = tempDir();
    await writeLog(source);
    const file = path.join(tempDir(), 'log.ndjson');
    await exportTo(source, file);
    const result = await runQuietly(() => importCommand.run([file, '--data-dir', source]));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/already holds 5 events/);
  });
});
