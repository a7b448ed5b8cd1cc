// `ledger verify [--data-dir D] [--anchor <hash>@<position>]... [--json|--csv]`: walks the hash
// chain of the store read-only; with LEDGER_ANCHOR_KEY (or LEDGER_ANCHOR_KEY_FILE) set, checks
// the chain checkpoint's HMAC too; with --anchor, that a head hash published elsewhere is still
// the hash of the event at its position.
import { anchorKeyOf } from '../../app/config.js';
import { checkChainAtStart, checkpointFileFor, type CheckpointReading, readAnchoredCheckpoint } from '../../app/integrity/chain-check.js';
import { ExitCode, type CliCommand } from '../command.js';
import { DEFAULT_DATA_DIR, sqliteFileFor } from '../../store/open-store.js';
import { type EventStore, IncompatibleStoreError, StoreUnavailableError, type VerifyResult } from '../../store/event-store.js';
import { openSqliteEventStore } from '../../store/sqlite/sqlite-event-store.js';
import { toCsv } from '../format/csv.js';
import { safeLines } from '../format/terminal.js';
import path from 'node:path';

const usage = [
  'Usage: ledger verify [--data-dir D] [--anchor <hash>@<position>]... [--json|--csv]',
  '',
  'Recomputes every event\'s hash and link in the event log (opened read-only) and names the',
  'first position that does not match. When the server\'s chain checkpoint (chain-checkpoint.json in',
  'the data directory) exists, the log must still reach its position with the hash verified then:',
  'a log whose newest events were removed, or that was rewritten up to there, is broken too.',
  'With LEDGER_ANCHOR_KEY or LEDGER_ANCHOR_KEY_FILE set, the checkpoint\'s HMAC must verify with it.',
  'Exit 0: the chain is intact; 1: it is broken; 2: bad usage; 3: no store.',
  '',
  'Options:',
  '  --data-dir D                 the data directory (default $LEDGER_DATA_DIR or ./data)',
  '  --anchor <hash>@<position>   a head hash recorded elsewhere (a report, a notary, an e-mail): the',
  '                               event at <position> must still have that hash (repeatable)',
  '  --json                       print the result as JSON',
  '  --csv                        print the result as CSV (ok,events,headHash,firstBadPosition,problem)',
].join('\n');

/** A head published elsewhere: the hash the event at `position` had. */
export interface Anchor {
  hash: string;
  position: bigint;
}

const anchorPattern = /^([0-9a-f]{64})@([1-9]\d{0,15})$/;

export function parseAnchor(text: string): Anchor | null {
  const match = anchorPattern.exec(text.trim().toLowerCase());
  return match ? { hash: match[1]!, position: BigInt(match[2]!) } : null;
}

type Parsed = { ok: true; dataDir: string; json: boolean; csv: boolean; anchors: Anchor[]; anchorKey: Buffer | null } | { ok: false; message: string };

export function parseVerifyArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Parsed {
  let dataDir = env.LEDGER_DATA_DIR || DEFAULT_DATA_DIR;
  let json = false;
  let csv = false;
  const anchors: Anchor[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--csv') csv = true;
    else if (arg === '--data-dir') {
      const value = argv[++i];
      if (!value) return { ok: false, message: '--data-dir needs a directory' };
      dataDir = value;
    } else if (arg === '--anchor') {
      const value = argv[++i];
      const anchor = value === undefined ? null : parseAnchor(value);
      if (!anchor) return { ok: false, message: `--anchor needs <hash>@<position>: 64 hex digits, "@", a position from 1 (got ${value === undefined ? 'nothing' : JSON.stringify(value)})` };
      anchors.push(anchor);
    } else return { ok: false, message: `unexpected argument ${arg}` };
  }
  if (json && csv) return { ok: false, message: 'choose one of --csv and --json' };
  const problems: Array<{ variable: string; message: string }> = [];
  const anchorKey = anchorKeyOf(env.LEDGER_ANCHOR_KEY || undefined, env.LEDGER_ANCHOR_KEY_FILE || undefined, path.resolve(dataDir), problems);
  if (problems.length > 0) return { ok: false, message: problems.map((p) => `${p.variable} ${p.message}`).join('; ') };
  return { ok: true, dataDir, json, csv, anchors, anchorKey };
}

/**
 * The full walk, then the server's checkpoint: a chain that is sound by itself can still have
 * lost its newest events or been replaced. The checkpoint's comparison is the start check's; a
 * checkpoint whose anchor HMAC does not verify fails as tampering.
 */
export async function verifyWithCheckpoint(store: EventStore, reading: CheckpointReading): Promise<VerifyResult> {
  const full = await store.verify();
  if (!full.ok || reading.status === 'none') return full;
  if (reading.status === 'forged') {
    return { ok: false, events: Math.min(full.events, Number(reading.position) - 1), headHash: full.headHash, firstBadPosition: reading.position, problem: reading.problem };
  }
  const check = await checkChainAtStart(store, reading.checkpoint);
  if (check.ok) return full;
  const eventsBeforeIt = Math.min(full.events, Number(check.firstBadPosition) - 1);
  return { ok: false, events: eventsBeforeIt, headHash: full.headHash, firstBadPosition: check.firstBadPosition, problem: check.problem };
}

/** Each anchor against the log: the event at its position must have its hash. The first that fails, or null. */
export async function checkAnchors(store: EventStore, anchors: readonly Anchor[]): Promise<{ position: bigint; problem: string } | null> {
  const head = await store.headPosition();
  for (const anchor of [...anchors].sort((a, b) => (a.position < b.position ? -1 : 1))) {
    if (anchor.position > head) {
      return { position: head + 1n, problem: `the log ends at position ${head}, before the anchor's position ${anchor.position}: events ${head + 1n}..${anchor.position} were removed` };
    }
    let stored: string | null = null;
    for await (const event of store.readAll({ fromPosition: anchor.position, toPosition: anchor.position })) stored = event.hash;
    if (stored !== anchor.hash) {
      return {
        position: anchor.position,
        problem: `the event at position ${anchor.position} has hash ${stored ?? '(none)'}, not the anchored ${anchor.hash}: the log up to there was rewritten or replaced`,
      };
    }
  }
  return null;
}

function describe(result: VerifyResult, anchors: readonly Anchor[]): string {
  if (result.ok) {
    const anchored = anchors.map((a) => `anchor ${a.hash}@${a.position}: in the chain\n`).join('');
    return `ok: ${result.events} events, head hash ${result.headHash}\n${anchored}`;
  }
  return `BROKEN at position ${String(result.firstBadPosition)}: ${result.problem}\n(${result.events} events verified before it)\n`;
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'verify the event log\'s hash chain (and published anchors); names the first bad position',
  usage,
  async run(argv) {
    const parsed = parseVerifyArgs(argv);
    if (!parsed.ok) {
      process.stderr.write(`ledger verify: ${safeLines(parsed.message)}\n\n${usage}\n`);
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
      let result = await verifyWithCheckpoint(store, readAnchoredCheckpoint(checkpointFileFor(parsed.dataDir), parsed.anchorKey));
      if (parsed.anchors.length > 0) {
        const failed = await checkAnchors(store, parsed.anchors);
        if (failed && (result.ok || (result.firstBadPosition !== undefined && failed.position < result.firstBadPosition))) {
          result = { ok: false, events: Math.min(result.events, Number(failed.position) - 1), headHash: result.headHash, firstBadPosition: failed.position, problem: failed.problem };
        }
      }
      const anchors = parsed.anchors.map((a) => ({ hash: a.hash, position: a.position.toString() }));
      const text = parsed.json
        ? `${JSON.stringify({ ...result, firstBadPosition: result.firstBadPosition?.toString(), ...(anchors.length > 0 ? { anchors } : {}) })}\n`
        : parsed.csv
          ? toCsv([{ ok: result.ok, events: result.events, headHash: result.headHash, firstBadPosition: result.firstBadPosition?.toString() ?? null, problem: result.problem ?? null }])
          : describe(result, parsed.anchors);
      process.stdout.write(text);
      return result.ok ? ExitCode.ok : ExitCode.checkFailed;
    } finally {
      await store.close();
    }
  },
};
