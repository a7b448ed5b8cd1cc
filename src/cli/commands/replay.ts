// `ledger replay [--data-dir D]`: rebuilds every projection from the log, with a progress bar on
// stderr. A replay that was killed half-way resumes from its checkpoint instead of starting over.
// `--projection NAME` rebuilds that one alone, the way a server rebuilds a projection whose
// version changed: into shadow tables beside the live ones, then one switch
// (projections/rebuild-beside.ts); the other projections' tables and checkpoints are not touched.
import { performance } from 'node:perf_hooks';
import { ExitCode, type CliCommand } from '../command.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { readModelFileFor } from '../../ledger/read-side.js';
import { domainBridge } from '../../../projections/domain-bridge.js';
import { DEFAULT_BATCH_SIZE, ProjectionRunner, type ReplayProgress } from '../../../projections/runner.js';
import type { BesideProgress } from '../../../projections/rebuild-beside.js';
import { type ProjectionName, projectionNames } from '../../../projections/schema.js';
import { liveServerIn } from '../../app/server-presence.js';
import { DEFAULT_DATA_DIR, openEventStore } from '../../store/open-store.js';
import { outputFormatOf, renderRecord, type OutputFormat } from '../format/output.js';
import { replayOnThread } from './replay-thread.js';

const usage = `Usage: ledger replay [--data-dir D] [--batch N] [--projection NAME] [--json|--csv]

Rebuilds every read model (tiers, balances, ownership, pipeline, statements) from the event log
into D/read-models.db (D: --data-dir, else $LEDGER_DATA_DIR, else ./data). Progress goes to
stderr. If an earlier replay was interrupted, this one resumes from its checkpoint.
--projection NAME  rebuild one projection only (${projectionNames.join(', ')}), beside its live
                   tables, then switch to it in one transaction; the others stay as they are.
                   Resumes an interrupted one. Refused while a server serves D (exit 3): a
                   server rebuilds a projection whose version changed by itself (GET /health).
--json | --csv  the result (events, seconds, events/s, position, file) for scripts; with --json
                the progress on stderr is one JSON object a line`;

/** Seconds left at the rate so far (null before any event). */
function etaSeconds(position: number, head: number, events: number, seconds: number): number | null {
  if (events === 0 || seconds <= 0) return null;
  return Math.ceil(Math.max(0, head - position) / (events / seconds));
}

function formatEta(eta: number | null): string {
  if (eta === null) return 'ETA --';
  const m = Math.floor(eta / 60);
  return `ETA ${m > 0 ? `${m} min ` : ''}${eta % 60} s`;
}

export function progressBar(p: ReplayProgress, startedMs: number, nowMs: number, width = 30): string {
  const done = p.head === 0 ? 1 : Math.min(1, p.position / p.head);
  const filled = Math.round(done * width);
  const seconds = Math.max(0.001, (nowMs - startedMs) / 1_000);
  const rate = Math.round(p.events / seconds);
  const eta = formatEta(etaSeconds(p.position, p.head, p.events, seconds));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(done * 100)).padStart(3)}%  position ${p.position.toLocaleString('en-US')}/${p.head.toLocaleString('en-US')}  ${rate.toLocaleString('en-US')} events/s  ${eta}`;
}

/** One progress line of `--json`: what the bar shows, as a JSON object. */
function progressJson(projection: string | null, p: ReplayProgress, seconds: number): string {
  const percent = p.head === 0 ? 100 : Math.floor(Math.min(1, p.position / p.head) * 100);
  const eventsPerSecond = seconds > 0 ? Math.round(p.events / seconds) : null;
  return `${JSON.stringify({ projection, position: p.position, head: p.head, percent, events: p.events, eventsPerSecond, etaSeconds: etaSeconds(p.position, p.head, p.events, seconds) })}\n`;
}

const asReplayProgress = (p: BesideProgress): ReplayProgress => ({ position: p.position, head: p.head, events: p.events });

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'rebuild every projection from the log (resumes an interrupted replay)',
  usage,
  async run(argv) {
    let dataDir: string;
    let batchSize: number;
    let format: OutputFormat;
    let projection: ProjectionName | null;
    try {
      const args = parseArgs(argv, ['data-dir', 'batch', 'projection'], ['json', 'csv']);
      const named = args.values.get('projection') ?? null;
      if (named !== null && !(projectionNames as readonly string[]).includes(named)) {
        throw new UsageError(`--projection must be one of ${projectionNames.join(', ')}, got ${named}`);
      }
      projection = named as ProjectionName | null;
      format = outputFormatOf(args.flags);
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
      dataDir = args.values.get('data-dir') ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR;
      batchSize = Number(args.values.get('batch') ?? DEFAULT_BATCH_SIZE); // the runner's: what the bench measures
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new UsageError('--batch must be 1..100000');
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`ledger replay: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    if (projection !== null) {
      const server = liveServerIn(dataDir);
      if (server) {
        process.stderr.write(
          `ledger replay: a server (pid ${server.pid}, ${server.url}) serves ${dataDir}; it rebuilds a projection whose version changed by itself ` +
            `(GET /health lists it with its progress). To rebuild ${projection} by hand, stop the server first\n`,
        );
        return ExitCode.refused;
      }
    }
    const tty = process.stderr.isTTY === true;
    if (projection !== null) {
      const store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: dataDir });
      const runner = ProjectionRunner.open(store, readModelFileFor(dataDir), domainBridge(policyFromEnv()).rules, { batchSize });
      try {
        return await replayOne(runner, projection, { batchSize, format, tty, dataDir });
      } finally {
        await runner.close();
        await store.close();
      }
    }
    {
      let started = performance.now();
      let lastDecile = -1;
      // On a thread of its own (replay-thread.ts): its young generation is sized for a replay.
      const result = await replayOnThread(
        { dataDir, batchSize },
        {
          onStart: (resuming, from) => {
            if (resuming) process.stderr.write(`resuming an interrupted replay from position ${from.toLocaleString('en-US')}\n`);
            started = performance.now();
          },
          onProgress: (p) => {
            if (format === 'json') {
              process.stderr.write(progressJson(null, p, (performance.now() - started) / 1_000));
              return;
            }
            const line = progressBar(p, started, performance.now());
            if (tty) process.stderr.write(`\r${line}`);
            else {
              const decile = p.head === 0 ? 10 : Math.floor((p.position / p.head) * 10);
              if (decile !== lastDecile) process.stderr.write(`${line}\n`);
              lastDecile = decile;
            }
          },
        },
      );
      if (tty && format !== 'json') process.stderr.write('\n');
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
    }
  },
};

/** `--projection NAME`: one projection rebuilt beside its live tables, then switched. */
async function replayOne(
  runner: ProjectionRunner,
  projection: ProjectionName,
  o: { batchSize: number; format: OutputFormat; tty: boolean; dataDir: string },
): Promise<number> {
  const before = runner.rebuildsBeside().find((p) => p.projection === projection);
  if (before && before.position > 0) process.stderr.write(`resuming the rebuild of ${projection} from position ${before.position.toLocaleString('en-US')}\n`);
  // the other projections follow the log first, so the switch lands where they are
  await runner.catchUp();
  const started = performance.now();
  let lastDecile = -1;
  const show = (p: BesideProgress): void => {
    const seconds = (performance.now() - started) / 1_000;
    if (o.format === 'json') {
      process.stderr.write(progressJson(projection, asReplayProgress(p), seconds));
      return;
    }
    const line = `${projection} ${progressBar(asReplayProgress(p), started, performance.now())}`;
    if (o.tty) process.stderr.write(`\r${line}`);
    else {
      const decile = p.head === 0 ? 10 : Math.floor((p.position / p.head) * 10);
      if (decile !== lastDecile) process.stderr.write(`${line}\n`);
      lastDecile = decile;
    }
  };
  let last: BesideProgress | null = null;
  await runner.rebuildProjection(projection, {
    batchSize: o.batchSize,
    onProgress: (p) => {
      last = p;
      show(p);
    },
  });
  if (o.tty && o.format !== 'json') process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1_000;
  const done = last as BesideProgress | null;
  const events = done?.events ?? 0;
  const position = runner.writer.checkpointOf(projection);
  const file = readModelFileFor(o.dataDir);
  if (o.format !== 'table') {
    const eventsPerSecond = Math.round(events / Math.max(seconds, 0.001));
    process.stdout.write(renderRecord(o.format, { projection, events, seconds: Math.round(seconds * 1_000) / 1_000, eventsPerSecond, position, file }));
    return ExitCode.ok;
  }
  process.stdout.write(
    `rebuilt ${projection} from ${events.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s beside its live tables and switched; ` +
      `at position ${position.toLocaleString('en-US')} in ${file} (the other projections untouched)\n`,
  );
  return ExitCode.ok;
}
