// The replay as `ledger replay` runs it, in a process of its own: opens the log read-only, drops
// and rebuilds every read model in `readModelFile`, and prints one JSON line with the events,
// the seconds and the process's peak RSS. The projections bench runs it on its largest log, so
// the peak RSS is the replay's own, not that of the bench that generated the log. Like `ledger
// replay`, it replays on a thread with the replay's young generation (src/cli/commands/replay-thread.ts).
import { performance } from 'node:perf_hooks';
import { isMainThread, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { REPLAY_YOUNG_GENERATION_MB } from '../cli/commands/replay-thread.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { benchDomain } from './bench-domain.js';
import { openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';

export interface ReplayChildResult {
  events: number;
  seconds: number;
  peakRssMb: number;
}

async function main(eventsFile: string | undefined, readModelFile: string | undefined): Promise<void> {
  if (!eventsFile || !readModelFile) throw new Error('usage: replay-child EVENTS_DB READ_MODELS_DB');
  const store = openSqliteEventStore({ file: eventsFile, readOnly: true });
  try {
    const runner = ProjectionRunner.open(store, readModelFile, benchDomain().rules);
    try {
      const started = performance.now();
      const result = await runner.rebuild();
      const seconds = (performance.now() - started) / 1_000;
      const answer: ReplayChildResult = { events: result.events, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
      process.stdout.write(`${JSON.stringify(answer)}\n`);
    } finally {
      await runner.close();
    }
  } finally {
    await store.close();
  }
}

if (isMainThread && process.env.LEDGER_REPLAY_THREAD !== 'off') {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: REPLAY_YOUNG_GENERATION_MB },
  });
  worker.once('error', (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
} else {
  await main(process.argv[2], process.argv[3]);
}
