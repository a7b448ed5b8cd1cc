// `ledger export [--out FILE] [--data-dir D]`: the whole log as NDJSON, one envelope a line in
// position order, as canonical JSON (sorted keys; position and revision as JSON numbers).
// `ledger import` reads the same lines back and verifies their chain.
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { EventEnvelope } from '../../domain/events.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { IncompatibleStoreError, StoreUnavailableError, type EventStore } from '../../store/event-store.js';
import { canonicalJson, GENESIS_HASH } from '../../store/hash-chain.js';
import { DEFAULT_DATA_DIR, openEventStore } from '../../store/open-store.js';
import { ExitCode, type CliCommand } from '../command.js';
import { progressLine } from './import.js';
import { outputFormatOf, renderRecord, type OutputFormat } from '../format/output.js';

const usage = [
  'Usage: ledger export [--out FILE] [--data-dir D] [--json|--csv]',
  '',
  'Writes every event of the log, in position order, as NDJSON: one envelope a line (canonical',
  'JSON, position and revision as numbers). Without --out the lines go to standard output.',
  'With --out the file appears only when complete (written beside it, then renamed).',
  'Exit 0: written; 2: bad usage; 3: no store.',
  '',
  'Options:',
  '  --out FILE     the file to write (default: standard output)',
  '  --data-dir D   the data directory (default $LEDGER_DATA_DIR or ./data)',
  '  --json | --csv with --out: the result (events, head hash, file) on stdout for scripts',
].join('\n');

/** One envelope as one NDJSON line (without the line end). */
export function envelopeLine(envelope: EventEnvelope): string {
  return canonicalJson(envelope);
}

export interface ExportSummary {
  events: number;
  headHash: string;
}

/** Writes the log to `out`, honouring back-pressure; reads it batch by batch, never all at once. */
export async function exportLog(store: EventStore, out: Writable, onProgress?: (events: number) => void): Promise<ExportSummary> {
  let events = 0;
  let headHash = GENESIS_HASH;
  let expectedPosition = 1n;
  for await (const envelope of store.readAll({ batchSize: 1_000 })) {
    if (envelope.position !== expectedPosition) {
      throw new Error(`the log skips from position ${expectedPosition - 1n} to ${envelope.position}`);
    }
    expectedPosition++;
    if (!out.write(`${envelopeLine(envelope)}\n`)) await once(out, 'drain');
    events++;
    headHash = envelope.hash;
    if (events % 10_000 === 0) onProgress?.(events);
  }
  return { events, headHash };
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write the whole event log as NDJSON (one envelope a line)',
  usage,
  async run(argv) {
    let outFile: string | null;
    let dataDir: string;
    let format: OutputFormat;
    try {
      const args = parseArgs(argv, ['out', 'data-dir'], ['json', 'csv']);
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
      outFile = args.values.get('out') ?? null;
      format = outputFormatOf(args.flags);
      if (format !== 'table' && outFile === null) throw new UsageError('--json and --csv describe the result of --out FILE; without --out the log itself goes to stdout');
      dataDir = args.values.get('data-dir') ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`ledger export: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    let store: EventStore;
    try {
      store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: dataDir }, { readOnly: true });
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof IncompatibleStoreError) {
        process.stderr.write(`ledger export: ${error.message}\n`);
        return ExitCode.refused;
      }
      throw error;
    }
    const partialFile = outFile === null ? null : `${outFile}.partial`;
    const out: Writable = partialFile === null ? process.stdout : createWriteStream(partialFile);
    try {
      const showProgress = process.stderr.isTTY === true;
      const summary = await exportLog(store, out, (n) => {
        if (showProgress) process.stderr.write(progressLine('export', n, null));
      });
      if (partialFile !== null && outFile !== null) {
        out.end();
        await once(out, 'finish');
        renameSync(partialFile, outFile);
      }
      if (showProgress) process.stderr.write('\n');
      if (format !== 'table') process.stdout.write(renderRecord(format, { events: summary.events, headHash: summary.headHash, file: outFile }));
      else process.stderr.write(`exported ${summary.events} events${outFile ? ` to ${outFile}` : ''}; head hash ${summary.headHash}\n`);
      return ExitCode.ok;
    } catch (error) {
      if (partialFile !== null) {
        out.destroy();
        rmSync(partialFile, { force: true });
      }
      throw error;
    } finally {
      await store.close();
    }
  },
};
