// The `ledger` command line, run in-process through runCli (the build is not part of the test
// run) over real data directories: every command of API.md answers --help; a demo programme is
// generated, verified, replayed, reported, disputed, exported and imported; tables by default,
// --json and --csv for scripts; exit codes 0 done, 1 check failed, 2 usage, 3 refused.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { runCli } from '../../src/cli/run-cli.js';
import { planDemo } from '../../src/demo/plan.js';
import { buildLedger } from './support/child-server.js';
import { captureOutput } from '../support/capture-output.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs one command line in-process, capturing what it writes. */
const cli = (argv: string[]): Promise<Run> => captureOutput(() => runCli(argv));

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-cli-e2e-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The commands API.md's "Command line" section lists. */
const API_COMMANDS = ['serve', 'demo', 'replay', 'verify', 'dispute', 'report', 'export', 'import', 'bench'];

describe('ledger --help', () => {
  it('lists every command of API.md, and every command answers --help and `ledger help <command>`', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const name of API_COMMANDS) expect(help.out).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
    expect(help.out).toContain('Exit codes: 0 done; 1 a check failed or nothing found; 2 bad usage; 3 refused or unavailable; 4 unexpected failure.');
    for (const command of commands) {
      for (const argv of [[command.name, '--help'], [command.name, '-h'], ['help', command.name]]) {
        const r = await cli(argv);
        expect(r.code, argv.join(' ')).toBe(0);
        expect(r.out, argv.join(' ')).toContain(`Usage: ledger ${command.name}`);
      }
    }
  });

  it('no command, an unknown command or an unknown option is a usage error (exit 2)', async () => {
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: ledger <command>');
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toContain('unknown command "frobnicate"');
    for (const name of ['demo', 'replay', 'verify', 'report', 'dispute', 'export', 'import', 'bench']) {
      const r = await cli([name, '--no-such-option']);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(/unknown option|unexpected argument|needs|name/);
    }
  });
});

describe('dates on the command line', () => {
  it('a --as-of or --valid-at that is not a calendar instant is a usage error naming the flag (exit 2), before any data is opened', async () => {
    const cases: Array<[string[], string, string]> = [
      [['report', 'tiers', '--as-of', '2026-02-30'], '--as-of is not a calendar date: February 2026 has 28 days, not a day 30', ''],
      [['report', 'balances', '--valid-at', '2026-06-31T00:00:00Z'], '--valid-at is not a calendar date: June 2026 has 30 days, not a day 31', ''],
      [['dispute', 'acme', '--as-of', '2026-01-01T24:00:00Z'], '--as-of is not a time of day: hour 24 is outside 00–23', ''],
      [['dispute', 'acme', '--valid-at=0000-01-01T00:00:00Z'], '--valid-at is not a date this ledger keeps: year 0 is outside 1000–9999', ''],
      [['rebates', 'P-001', '--year', '2026', '--as-of', '2026-07-01T00:00:00'], '--as-of must be an ISO-8601 instant', 'a date-time needs its zone'],
      [['awards', '2026', '--valid-at', 'yesterday'], '--valid-at must be an ISO-8601 instant', ''],
    ];
    for (const [argv, message, more] of cases) {
      const dir = tempDir();
      const r = await cli([...argv, '--data-dir', dir]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toContain(`ledger ${argv[0]}: ${message}`);
      expect(r.err, argv.join(' ')).toContain(more);
      expect(r.err, argv.join(' ')).toContain(`Usage: ledger ${argv[0]}`);
      expect(r.out).toBe('');
      expect(fs.readdirSync(dir), argv.join(' ')).toEqual([]);
    }
  });

  it('a real instant in any accepted form is taken (exit 0)', async () => {
    const dir = tempDir();
    for (const at of ['2024-02-29', '2026-06-30T23:59:59.999+08:00', '2026-07-01T00:00:00Z']) {
      const r = await cli(['report', 'tiers', '--as-of', at, '--valid-at', at, '--json', '--data-dir', dir]);
      expect(r.code, `${at}: ${r.err}`).toBe(0);
      // A bare date is the end of that day in the policy's zone (issue #21 item 3; was its UTC midnight).
      expect(JSON.parse(r.out).cut).toMatchObject({ asOf: new Date(Date.parse(at.length === 10 ? `${at}T23:59:59.999+08:00` : at)).toISOString() });
    }
  });
});

describe('a demo data directory, end to end', () => {
  const demoArgs = ['--seed', '9', '--partners', '8', '--customers', '40', '--quarters', '4', '--last-quarter', '2026-Q2'];
  let dir: string;
  let demo: Run;

  beforeAll(async () => {
    dir = tempDir();
    demo = await cli(['demo', ...demoArgs, '--data-dir', dir, '--json']);
  });

  it('demo generates the programme with a progress bar on stderr and its summary on stdout', () => {
    expect(demo.code, demo.err).toBe(0);
    expect(demo.err).toMatch(/demo \[#{30}\] 100% {2}[\d,]+\/[\d,]+ commands/);
    const summary = JSON.parse(demo.out);
    expect(summary).toMatchObject({ seed: 9, quarters: '2025-Q3..2026-Q2', partners: { total: 8, gold: 1, silver: 2, standard: 5, wholesaleVoice: 1 } });
    expect(summary.events).toBeGreaterThan(200);
    expect(summary.cash.receivedFen).toBeGreaterThan(0);
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
  });

  it('demo never appends to a log that holds events (exit 3), and checks its options (exit 2)', async () => {
    const again = await cli(['demo', ...demoArgs, '--data-dir', dir]);
    expect(again.code).toBe(3);
    expect(again.err).toMatch(/refused: the data directory .* already holds \d+ events/);
    expect((await cli(['demo', '--customers', 'many', '--data-dir', tempDir()])).code).toBe(2);
    expect((await cli(['demo', '--partners', '2', '--data-dir', tempDir()])).code).toBe(2);
    const future = await cli(['demo', '--last-quarter', '2999-Q1', '--data-dir', tempDir()]);
    expect(future.code).toBe(2);
    expect(future.err).toContain('is not over');
  });

  it('demo prints a table by default (money in CNY) and one CSV row with --csv (money in numeric yuan)', async () => {
    const table = await cli(['demo', '--seed', '2', '--partners', '4', '--customers', '3', '--quarters', '1', '--last-quarter', '2026-Q2', '--data-dir', tempDir()]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^events\s+[\d,]+$/m);
    expect(table.out).toMatch(/^cash\.received \(CNY\)\s+[\d,]+\.\d\d$/m);
    const csv = await cli(['demo', '--seed', '2', '--partners', '4', '--customers', '3', '--quarters', '1', '--last-quarter', '2026-Q2', '--data-dir', tempDir(), '--csv']);
    // The export module's CSV (issue #21 item 4): byte-order mark, CRLF, money in yuan under "(CNY)" (was fen under cash.receivedFen).
    expect(csv.out.startsWith('\uFEFF')).toBe(true);
    const [header, row, rest] = csv.out.slice(1).split('\r\n');
    expect(header).toContain('cash.received (CNY)');
    expect(row!.split(',')[header!.split(',').indexOf('cash.received (CNY)')]).toMatch(/^\d+\.\d\d$/);
    expect(row!.split(',')).toHaveLength(header!.split(',').length);
    expect(rest).toBe('');
  });

  it('verify: the chain is intact, as a sentence, JSON or CSV', async () => {
    const text = await cli(['verify', '--data-dir', dir]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^ok: \d+ events, head hash [0-9a-f]{64}/);
    const json = await cli(['verify', '--data-dir', dir, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, events: JSON.parse(demo.out).events, headHash: JSON.parse(demo.out).headHash });
    const csv = await cli(['verify', '--data-dir', dir, '--csv']);
    expect(csv.out.split('\r\n')[0]).toBe('\uFEFFok,events,headHash,firstBadPosition,problem');
    expect(csv.out.split('\r\n')[1]).toMatch(/^true,\d+,[0-9a-f]{64},,$/);
  });

  it('replay rebuilds the read models with a progress bar, and reports as JSON', async () => {
    const text = await cli(['replay', '--data-dir', dir]);
    expect(text.code).toBe(0);
    expect(text.err).toContain('100%');
    expect(text.out).toMatch(/^replayed [\d,]+ events/);
    const json = await cli(['replay', '--data-dir', dir, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ events: JSON.parse(demo.out).events });
  });

  it('report tiers, balances and pipeline: a table, CSV or JSON, as of any instant', async () => {
    const tiers = await cli(['report', 'tiers', '--data-dir', dir]);
    expect(tiers.code).toBe(0);
    expect(tiers.out).toMatch(/^P-001\s+(gold|silver|standard)/m);
    const csv = await cli(['report', 'balances', '--csv', '--data-dir', dir]);
    const columns = csv.out.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    expect(columns).toEqual(expect.arrayContaining(['partnerId', 'accrued (CNY)', 'clawedBack (CNY)', 'paidOut (CNY)', 'payable (CNY)', 'deposit (CNY)', 'debt (CNY)']));
    expect(csv.out.trim().split('\r\n')).toHaveLength(1 + 8);
    const json = await cli(['report', 'pipeline', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.out).report).toBe('pipeline');
    const early = await cli(['report', 'tiers', '--as-of', '2025-07-02T00:00:00Z', '--csv', '--data-dir', dir]);
    expect(early.code).toBe(0);
    expect(early.out.trim().split('\r\n').length).toBeLessThan(1 + 8); // not every partner was signed yet
    expect((await cli(['report', 'tiers', '--csv', '--json', '--data-dir', dir])).code).toBe(2);
    expect((await cli(['report', 'nonsense', '--data-dir', dir])).code).toBe(2);
  });

  it('dispute explains a tie won by the partner; CSV lists the events; an unknown customer is exit 1', async () => {
    const plan = planDemo({ seed: 9, partners: 8, customers: 40, quarters: 4, lastQuarter: '2026-Q2', timeZone: 'Asia/Shanghai' });
    const tie = plan.customers.find((c) => c.scenario === 'tie-with-direct' && c.claims.every((k) => k.registered));
    expect(tie, 'the seed has a tie').toBeDefined();
    const text = await cli(['dispute', tie!.key, '--valid-at', '2026-06-30T00:00:00Z', '--data-dir', dir]);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('Rule: tie-to-partner');
    const csv = await cli(['dispute', tie!.key, '--csv', '--data-dir', dir]);
    expect(csv.out.split('\r\n')[0]).toBe('\uFEFFposition,occurredAt,recordedAt,actor,type,description,counts,ownerDealId,ownerPartnerId,rule,hash');
    expect(csv.out).toContain('DealRegistered');
    const json = await cli(['dispute', tie!.key, '--json', '--data-dir', dir]);
    expect(JSON.parse(json.out).customerKey).toBe(tie!.key);
    const unknown = await cli(['dispute', 'name:nobody-at-all', '--data-dir', dir]);
    expect(unknown.code).toBe(1);
    // Nothing found is 1 for every command that looks something up (README, "Command line").
    const noPartner = await cli(['rebates', 'P-404', '--year', '2026', '--data-dir', dir]);
    expect(noPartner.code).toBe(1);
    expect(noPartner.err).toContain('ledger rebates: no partner P-404');
    const noStatement = await cli(['statement', 'P-404', '2026-Q1', '--data-dir', dir]);
    expect(noStatement.code).toBe(1);
  });

  it('a usage error names the flag as it is typed (--as-of, --year), a flag is never taken for a value', async () => {
    const swallowed = await cli(['report', 'tiers', '--as-of', '--json', '--data-dir', dir]);
    expect(swallowed.code).toBe(2);
    expect(swallowed.err).toContain('ledger report: --as-of needs a value');
    const year = await cli(['rebates', 'P-001', '--year', '0000', '--data-dir', dir]);
    expect(year.code).toBe(2);
    expect(year.err).toContain('--year must be a year like 2026, got "0000"');
    for (const r of [swallowed, year]) expect(r.err).not.toMatch(/\basOf\b|\bvalidAt\b/);
  });

  it('`ledger export | head` stops quietly with exit 0 when the reader goes away (EPIPE)', () => {
    const { main } = buildLedger();
    const piped = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${main}" export --data-dir "${dir}" | head -n 1`], { encoding: 'utf8', timeout: 60_000 });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
    expect(JSON.parse(piped.stdout.trim())).toMatchObject({ position: 1 });
  });

  it('export and import carry the log over; import refuses a non-empty directory (3) and a broken file (1)', async () => {
    const file = path.join(tempDir(), 'log.ndjson');
    const exported = await cli(['export', '--out', file, '--data-dir', dir, '--json']);
    expect(exported.code, exported.err).toBe(0);
    const summary = JSON.parse(exported.out);
    expect(summary.headHash).toBe(JSON.parse(demo.out).headHash);
    expect((await cli(['export', '--json', '--data-dir', dir])).code).toBe(2); // --json describes --out
    const copy = tempDir();
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = true; // import draws its progress bar on a terminal only
    let imported: Run;
    try {
      imported = await cli(['import', file, '--data-dir', copy, '--csv']);
    } finally {
      process.stderr.isTTY = wasTty;
    }
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out.split('\n')[1]).toContain(summary.headHash);
    expect(imported.err).toMatch(/\rimport \[#{30}\] 100% {2}[\d,]+\/[\d,]+ events/);
    expect((await cli(['import', file, '--data-dir', dir])).code).toBe(3);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[4] = lines[4]!.replace(/"amountFen":(\d+)/, (_m, n: string) => `"amountFen":${Number(n) + 1}`).replace(/"name":"/, '"name":"X');
    const broken = path.join(path.dirname(file), 'broken.ndjson');
    fs.writeFileSync(broken, lines.join('\n'));
    const refused = await cli(['import', broken, '--data-dir', tempDir()]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused, nothing written: position 5/);
  });
});

describe('the compiled command', () => {
  it('--help lists the commands and an unknown command exits 2', () => {
    const { main } = buildLedger();
    const r = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: ledger <command>');
    const unknown = spawnSync(process.execPath, [main, 'frobnicate'], { encoding: 'utf8', timeout: 20_000 });
    expect(unknown.status).toBe(2);
  });
});
