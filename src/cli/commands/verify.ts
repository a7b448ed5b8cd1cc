// `ledger verify [--data-dir D] [--json]`: walks the hash chain of the store read-only.
import { checkChainAtStart, checkpointFileFor, type ChainCheckpoint, readCheckpoint } from '../../app/integrity/chain-check.js';
import { ExitCode, type CliCommand } from '../command.js';
import { DEFAULT_DATA_DIR, sqliteFileFor } from '../../store/open-store.js';
import { type EventStore, IncompatibleStoreError, StoreUnavailableError, type VerifyResult } from '../../store/event-store.js';
import { openSqliteEventStore } from '../../store/sqlite/sqlite-event-store.js';
import { toCsv } from '../format/csv.js';

const usage = [
  'Usage: ledger verify [--data-dir D] [--json|--csv]',
  '',
  'Recomputes every event\'s hash and link in the event log (opened read-only) and names the',
  'first position that does not match. When the server\'s chain checkpoint (chain-checkpoint.json in',
  'the data directory) exists, the log must still reach its position with the hash verified then:',
  'a log whose newest events were removed, or that was rewritten up to there, is broken too.',
  'Exit 0: the chain is intact; 1: it is broken; 3: no store.',
  '',
  'Options:',
  '  --data-dir D   the data directory (default $LEDGER_DATA_DIR or ./data)',
  '  --json         print the result as JSON',
  '  --csv          print the result as CSV (ok,events,headHash,firstBadPosition,problem)',
].join('\n');

type Parsed = { ok: true; dataDir: string; json: boolean; csv: boolean } | { ok: false; message: string };

export function parseVerifyArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Parsed {
  let dataDir = env.LEDGER_DATA_DIR || DEFAULT_DATA_DIR;
  let json = false;
  let csv = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--csv') csv = true;
    else if (arg === '--data-dir') {
      const value = argv[++i];
      if (!value) return { ok: false, message: '--data-dir needs a directory' };
      dataDir = value;
    } else return { ok: false, message: `unexpected argument ${arg}` };
  }
  if (json && csv) return { ok: false, message: 'choose one of --csv and --json' };
  return { ok: true, dataDir, json, csv };
}

/**
 * The full walk, then the server's checkpoint: a chain that is sound by itself can still have
 * lost its newest events or been replaced. The checkpoint's comparison is the start check's.
 */
export async function verifyWithCheckpoint(store: EventStore, checkpoint: ChainCheckpoint | null): Promise<VerifyResult> {
  const full = await store.verify();
  if (!full.ok || checkpoint === null) return full;
  const check = await checkChainAtStart(store, checkpoint);
  if (check.ok) return full;
  const eventsBeforeIt = Math.min(full.events, Number(check.firstBadPosition) - 1);
  return { ok: false, events: eventsBeforeIt, headHash: full.headHash, firstBadPosition: check.firstBadPosition, problem: check.problem };
}

function describe(result: VerifyResult): string {
  if (result.ok) return `ok: ${result.events} events, head hash ${result.headHash}\n`;
  return `BROKEN at position ${String(result.firstBadPosition)}: ${result.problem}\n(${result.events} events verified before it)\n`;
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'verify the event log\'s hash chain; names the first bad position',
  usage,
  async run(argv) {
    const parsed = parseVerifyArgs(argv);
    if (!parsed.ok) {
      process.stderr.write(`ledger verify: ${parsed.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    let store;
    try {
      store = openSqliteEventStore({ file: sqliteFileFor(parsed.dataDir), readOnly: true });
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof IncompatibleStoreError) {
        process.stderr.write(`ledger verify: ${error.message}\n`);
        return ExitCode.refused;
      }
      throw error;
    }
    try {
      const result = await verifyWithCheckpoint(store, readCheckpoint(checkpointFileFor(parsed.dataDir)));
      const text = parsed.json
        ? `${JSON.stringify({ ...result, firstBadPosition: result.firstBadPosition?.toString() })}\n`
        : parsed.csv
          ? toCsv([{ ok: result.ok, events: result.events, headHash: result.headHash, firstBadPosition: result.firstBadPosition?.toString() ?? null, problem: result.problem ?? null }])
          : describe(result);
      process.stdout.write(text);
      return result.ok ? ExitCode.ok : ExitCode.checkFailed;
    } finally {
      await store.close();
    }
  },
};
