// `ledger replay [--data-dir D]`: rebuilds every projection from the log, with a progress bar on
// stderr. A replay that was killed half-way resumes from its checkpoint instead of starting over.
import { performance } from 'node:perf_hooks';
import { ExitCode, type CliCommand } from '../command.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { readModelFileFor } from '../../ledger/read-side.js';
import { domainBridge } from '../../../projections/domain-bridge.js';
import { ProjectionRunner, type ReplayProgress } from '../../../projections/runner.js';
import { DEFAULT_DATA_DIR, openEventStore } from '../../store/open-store.js';
import { outputFormatOf, renderRecord, type OutputFormat } from '../format/output.js';

const usage = `Usage: ledger replay [--data-dir D] [--batch N] [--json|--csv]

Rebuilds every read model (tiers, balances, ownership, pipeline, statements) from the event log
into D/read-models.db (D: --data-dir, else $LEDGER_DATA_DIR, else ./data). Progress goes to
stderr. If an earlier replay was interrupted, this one resumes from its checkpoint.
--json | --csv  the result (events, seconds, events/s, position, file) for scripts`;

export function progressBar(p: ReplayProgress, startedMs: number, nowMs: number, width = 30): string {
  const done = p.head === 0 ? 1 : Math.min(1, p.position / p.head);
  const filled = Math.round(done * width);
  const seconds = Math.max(0.001, (nowMs - startedMs) / 1_000);
  const rate = Math.round(p.events / seconds);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(done * 100)).padStart(3)}%  position ${p.position.toLocaleString('en-US')}/${p.head.toLocaleString('en-US')}  ${rate.toLocaleString('en-US')} events/s`;
}

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'rebuild every projection from the log (resumes an interrupted replay)',
  usage,
  async run(argv) {
    let dataDir: string;
    let batchSize: number;
    let format: OutputFormat;
    try {
      const args = parseArgs(argv, ['data-dir', 'batch'], ['json', 'csv']);
      format = outputFormatOf(args.flags);
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
      dataDir = args.values.get('data-dir') ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR;
      batchSize = Number(args.values.get('batch') ?? 10_000);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new UsageError('--batch must be 1..100000');
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`ledger replay: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: dataDir });
    const runner = ProjectionRunner.open(store, readModelFileFor(dataDir), domainBridge(policyFromEnv()).rules, { batchSize });
    const tty = process.stderr.isTTY === true;
    try {
      const resuming = runner.rebuildInterrupted();
      const from = runner.position();
      if (resuming) process.stderr.write(`resuming an interrupted replay from position ${from.toLocaleString('en-US')}\n`);
      const started = performance.now();
      let lastDecile = -1;
      const result = await runner.replay({
        onProgress: (p) => {
          const line = progressBar(p, started, performance.now());
          if (tty) process.stderr.write(`\r${line}`);
          else {
            const decile = p.head === 0 ? 10 : Math.floor((p.position / p.head) * 10);
            if (decile !== lastDecile) process.stderr.write(`${line}\n`);
            lastDecile = decile;
          }
        },
      });
      if (tty) process.stderr.write('\n');
      const seconds = (performance.now() - started) / 1_000;
      if (format !== 'table') {
        const eventsPerSecond = Math.round(result.events / Math.max(seconds, 0.001));
        process.stdout.write(renderRecord(format, { events: result.events, seconds: Math.round(seconds * 1_000) / 1_000, eventsPerSecond, position: result.position, file: readModelFileFor(dataDir) }));
        return ExitCode.ok;
      }
      process.stdout.write(
        `replayed ${result.events.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s ` +
          `(${Math.round(result.events / Math.max(seconds, 0.001)).toLocaleString('en-US')} events/s); ` +
          `read models at position ${result.position.toLocaleString('en-US')} in ${readModelFileFor(dataDir)}\n`,
      );
      return ExitCode.ok;
    } finally {
      await runner.close();
      await store.close();
    }
  },
};
