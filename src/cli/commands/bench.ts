// `ledger bench [suite] [--quick] [--events N]`: with a suite, runs it and prints its JSON; with
// none, runs every suite and prints one JSON report (stdout) and a table (stderr) of each figure
// beside its target and the physical limits measured in the same run. Suites live in the table
// below; adding one is one entry.
import { ExitCode, type CliCommand } from '../command.js';
import { toCsv } from '../format/csv.js';
import { flattenRecord } from '../format/table.js';
import { runStoreBench } from '../../bench/store-bench.js';
import { runProjectionsBench } from '../../bench/projections-bench.js';
import { runCommandsBench } from '../../bench/commands-bench.js';
import { benchTable, runAllBenches } from '../../bench/all-bench.js';
import { runEndToEndBench } from '../../bench/end-to-end-bench.js';
import { benchHttp } from '../../bench/http-bench.js';
import { runPeersBench } from '../../bench/peers-bench.js';

export interface BenchOptions {
  quick: boolean;
  /** --events N when given; each suite has its own default. */
  events: number | undefined;
}

export interface BenchSuite {
  summary: string;
  run(options: BenchOptions): Promise<unknown>;
}

export const benchSuites: Record<string, BenchSuite> = {
  store: {
    summary: 'event store: sequential and concurrent appends/s, readAll events/s, beside the disk limits',
    run: (o) => runStoreBench({ quick: o.quick, events: o.events ?? (o.quick ? 20_000 : 100_000) }),
  },
  projections: {
    summary: 'projections: full replay events/s, as-of latency (median, p99) at two log lengths, peak RSS',
    run: (o) =>
      runProjectionsBench({
        quick: o.quick,
        ...(o.events === undefined ? {} : { sizes: [Math.max(1_000, Math.round(o.events / 10)), o.events] as [number, number] }),
        log: (line) => process.stderr.write(`${line}\n`),
      }),
  },
  commands: {
    summary: 'commands through the real path (decide + append + read models): sequential and 64-in-flight commands/s',
    run: (o) =>
      runCommandsBench({
        quick: o.quick,
        ...(o.events === undefined ? {} : { sequential: Math.max(1, Math.round(o.events / 8)), concurrent: o.events }),
        log: (line) => process.stderr.write(`${line}\n`),
      }),
  },
  http: {
    summary: 'HTTP: the built server in a child process, 64 keep-alive connections, 70% reads: requests/s, p50/p99',
    run: (o) => benchHttp({ durationMs: o.quick ? 3_000 : 10_000 }),
  },
  peers: {
    summary: 'the ledger beside Emmett on emmett-sqlite, same workload as commands, in-process and over HTTP, with raw SQLite',
    run: (o) => runPeersBench({ quick: o.quick, log: (line) => process.stderr.write(`${line}\n`) }),
  },
  'end-to-end': {
    summary: 'the demo log generated through the commands (--events N; default 1,000,000, quick 20,000): seconds, events/s',
    run: (o) => runEndToEndBench({ quick: o.quick, events: o.events ?? (o.quick ? 20_000 : 1_000_000), log: (line) => process.stderr.write(`${line}\n`) }),
  },
};

const usage = (): string =>
  [
    'Usage: ledger bench [suite] [--quick] [--events N]',
    '',
    'With a suite: prints its measurements as JSON on stdout. Without: runs every suite (the full',
    'run on 1,000,000 events, --quick in under a minute) and prints one JSON report on stdout and a',
    'table of each figure beside its target and the physical limits of the same disk on stderr.',
    '',
    'Suites:',
    ...Object.entries(benchSuites).map(([name, suite]) => `  ${name.padEnd(10)} ${suite.summary}`),
    '',
    'Options:',
    '  --quick      smaller counts, noisier figures',
    '  --events N   length of the log to measure on',
    '  --json       the report as JSON (the default)',
    '  --csv        the report as one CSV row (nested figures as dotted columns)',
  ].join('\n');

type Parsed = { ok: true; suite: string | null; options: BenchOptions; csv?: boolean } | { ok: false; message: string };

export function parseBenchArgs(argv: string[]): Parsed {
  let suite: string | undefined;
  const options: BenchOptions = { quick: false, events: undefined };
  let csv = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--csv') csv = true;
    else if (arg === '--json') json = true;
    else if (arg === '--events') {
      const value = argv[++i];
      if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        return { ok: false, message: `--events needs a whole number, got ${value ?? 'nothing'}` };
      }
      options.events = Number(value);
    } else if (arg.startsWith('-')) return { ok: false, message: `unknown option ${arg}` };
    else if (suite === undefined) suite = arg;
    else return { ok: false, message: `unexpected argument ${arg}` };
  }
  if (csv && json) return { ok: false, message: 'choose one of --csv and --json' };
  if (suite === undefined) return { ok: true, suite: null, options, csv };
  if (!Object.hasOwn(benchSuites, suite)) return { ok: false, message: `unknown suite "${suite}"` };
  return { ok: true, suite, options, csv };
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'measure throughput and latency; prints JSON',
  get usage() {
    return usage();
  },
  async run(argv) {
    const parsed = parseBenchArgs(argv);
    if (!parsed.ok) {
      process.stderr.write(`ledger bench: ${parsed.message}\n\n${usage()}\n`);
      return ExitCode.usage;
    }
    if (parsed.suite === null) {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const report = await runAllBenches({ quick: parsed.options.quick, events: parsed.options.events, log });
      process.stdout.write(parsed.csv ? toCsv([flattenRecord(report as unknown as Record<string, unknown>)]) : `${JSON.stringify(report, null, 2)}\n`);
      process.stderr.write(`\n${benchTable(report)}\n`);
      return ExitCode.ok;
    }
    const report = await benchSuites[parsed.suite]!.run(parsed.options);
    process.stdout.write(parsed.csv ? toCsv([flattenRecord(report as Record<string, unknown>)]) : `${JSON.stringify(report, null, 2)}\n`);
    return ExitCode.ok;
  },
};
