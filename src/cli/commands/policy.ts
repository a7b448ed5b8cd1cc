// `ledger policy list|show|diff|adopt`: the programme's policy versions in the log (issue #20).
//   list  [--as-of T] [--csv|--json]            every version, when adopted, from when in force
//   show  <version> [--as-of T]                 one version's document (JSON)
//   diff  <version> --against V [--csv|--json]  what <version> changes against V, field by field
//   adopt <file.json> --reason R [--version V] [--effective-from D] [--occurred-at T] [--actor NAME]
//         [--dry-run] [--json]                  adopt a version (the adjustments a back-dated one causes)
// Reads need only the log; adopt opens the ledger and runs the ordinary adoptPolicy command as a
// manager, so its checks, refusals and --dry-run are those of POST /policies.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { liveServerIn } from '../../app/server-presence.js';
import { openLedger } from '../../ledger/ledger.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { policyDiff, policyVersion, policyVersions } from '../../ledger/policy-queries.js';
import { DEFAULT_DATA_DIR, openEventStore } from '../../store/open-store.js';
import type { EventStore } from '../../store/event-store.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { ExitCode, type CliCommand } from '../command.js';
import { DRY_RUN_FLAG, dryRunHelp, renderDryRun } from '../dry-run.js';
import { outputFormatOf, renderRows } from '../format/output.js';
import { safeJson, safeLines } from '../format/terminal.js';
import { instantFlag } from '../time-flags.js';

const usage = `Usage: ledger policy list [--as-of T] [--csv|--json] [--data-dir D]
       ledger policy show <version> [--as-of T] [--data-dir D]
       ledger policy diff <version> --against V [--as-of T] [--csv|--json] [--data-dir D]
       ledger policy adopt <file.json> --reason R [--version V] [--effective-from YYYY-MM-DD]
                           [--occurred-at T] [--actor NAME] [--dry-run] [--json] [--data-dir D]

The programme's policy versions as the log holds them. A version is in force from its
effectiveFrom (midnight in the policy's time zone) until the next one; each decision uses the
version in force at its fact's business time. Adopting a version effective in the past writes,
for every commission line with cash on or after that date, the difference as an adjustment
that the next payout settles. Before the first adoption the configured policy (built-in or
LEDGER_POLICY_FILE) is the only version; the first adoption logs it first.
--as-of T     the versions adopted by instant T
--against V   the version compared against (its values are "from")
--version, --effective-from  override the file's own version and effectiveFrom
--actor NAME  the manager named in the adoption's events (default: cli)
${dryRunHelp}`;

async function withStore<T>(dataDir: string | undefined, run: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: dataDir ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function readDocument(file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot be read as JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`${file}: must hold a JSON object (a policy document)`);
  return json as Record<string, unknown>;
}

async function adopt(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['reason', 'version', 'effective-from', 'occurred-at', 'actor', 'data-dir'], ['json', DRY_RUN_FLAG]);
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('name the policy document, e.g. ledger policy adopt policy-2024.2.json --reason "…"');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const reason = args.values.get('reason');
  if (!reason) throw new UsageError('--reason is required: why the programme changes');
  const document = readDocument(file);
  const version = args.values.get('version') ?? document.version;
  const effectiveFrom = args.values.get('effective-from') ?? document.effectiveFrom;
  const occurredAt = instantFlag(args.values, 'occurred-at');
  const format = args.flags.has('json') ? 'json' : 'table';
  const dataDir = args.values.get('data-dir') ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR;
  const server = args.flags.has(DRY_RUN_FLAG) ? null : liveServerIn(dataDir);
  if (server) {
    // The server decides every payment under the history it holds: an adoption beside it could
    // miss a payment it decides meanwhile under the version being replaced.
    process.stderr.write(`ledger policy adopt: a server (pid ${server.pid}, ${server.url}) serves ${dataDir}; adopt through its POST /policies, so its decisions follow the new version at once (--dry-run works here)\n`);
    return 3;
  }
  const ledger = await openLedger({ dataDir, policyFile: process.env.LEDGER_POLICY_FILE ?? null, follow: false });
  try {
    let input;
    try {
      input = ledger.parseInput('adoptPolicy', { version, effectiveFrom, document, reason, ...(occurredAt ? { occurredAt } : {}) } as never);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      process.stderr.write(`ledger policy adopt: ${safeLines(error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; '))}\n`);
      return ExitCode.usage;
    }
    const ctx = { actor: { role: 'manager' as const, id: args.values.get('actor') ?? 'cli' }, commandId: randomUUID(), correlationId: null };
    if (args.flags.has(DRY_RUN_FLAG)) {
      process.stdout.write(renderDryRun(format, await ledger.dryRun('adoptPolicy', input, ctx)));
      return ExitCode.ok;
    }
    let answer: Record<string, unknown>;
    try {
      answer = await ledger.execute('adoptPolicy', input, ctx);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      process.stderr.write(`ledger policy adopt: the document is not a valid policy:\n${safeLines(error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'))}\n`);
      return ExitCode.checkFailed;
    }
    if (format === 'json') process.stdout.write(`${safeJson(JSON.stringify(answer, null, 2))}\n`);
    else {
      const adjustments = answer.adjustments as Array<Record<string, string | number | null>>;
      const head = answer.adopted ? `Adopted policy ${String(answer.version)}, in force from ${String(answer.effectiveFrom)}: ${adjustments.length} adjustment(s).` : `Policy ${String(answer.version)} is already adopted with this document: nothing written.`;
      process.stdout.write(`${safeLines(head)}\n${adjustments.length > 0 ? `\n${renderRows('table', adjustments)}` : ''}`);
    }
    return ExitCode.ok;
  } finally {
    await ledger.close();
  }
}

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'policy versions: list, show, diff two, adopt one (--dry-run: the adjustments it would write)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'adopt') return adopt(rest);
    const args = parseArgs(rest, ['as-of', 'against', 'data-dir'], ['csv', 'json']);
    const asOf = instantFlag(args.values, 'as-of');
    const dataDir = args.values.get('data-dir');
    const configured = policyFromEnv();
    switch (sub) {
      case 'list': {
        if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
        const versions = await withStore(dataDir, (store) => policyVersions(store, configured, asOf));
        const rows = versions.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom, inForceUntil: v.inForceUntil, superseded: v.superseded, inLog: v.inLog, adoptedAt: v.adoptedAt, actor: v.actor?.id ?? null, reason: v.reason }));
        process.stdout.write(renderRows(outputFormatOf(args.flags), rows, versions));
        return ExitCode.ok;
      }
      case 'show': {
        const [version, ...extra] = args.positionals;
        if (!version || extra.length > 0) throw new UsageError('name one version, e.g. ledger policy show 2024.2');
        const answer = await withStore(dataDir, (store) => policyVersion(store, configured, version, asOf));
        if (!answer) {
          process.stderr.write(`ledger policy: no policy version ${safeLines(version)}${asOf ? ` as of ${asOf}` : ''}\n`);
          return ExitCode.notFound;
        }
        process.stdout.write(`${safeJson(JSON.stringify(answer, null, 2))}\n`);
        return ExitCode.ok;
      }
      case 'diff': {
        const [version, ...extra] = args.positionals;
        const against = args.values.get('against');
        if (!version || extra.length > 0) throw new UsageError('name one version, e.g. ledger policy diff 2024.2 --against telecom-2005.1');
        if (!against) throw new UsageError('--against names the version to compare with');
        const answer = await withStore(dataDir, (store) => policyDiff(store, configured, version, against, asOf));
        if ('unknown' in answer) {
          process.stderr.write(`ledger policy: no policy version ${safeLines(answer.unknown)}${asOf ? ` as of ${asOf}` : ''}\n`);
          return ExitCode.notFound;
        }
        const rows = answer.differences.map((d) => ({ path: d.path, from: JSON.stringify(d.from), to: JSON.stringify(d.to) }));
        process.stdout.write(renderRows(outputFormatOf(args.flags), rows, answer));
        return ExitCode.ok;
      }
      default:
        throw new UsageError(sub ? `unknown policy command "${sub}": list, show, diff or adopt` : 'name a policy command: list, show, diff or adopt');
    }
  },
};
