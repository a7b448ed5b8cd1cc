// `ledger bench <suite> [--quick] [--events N]`: runs one benchmark suite and prints its JSON.
// Suites live in the table below; adding one is one entry.
import { ExitCode, type CliCommand } from '../command.js';
import { runStoreBench } from '../../bench/store-bench.js';
import { runProjectionsBench } from '../../bench/projections-bench.js';

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
};

const usage = (): string =>
  [
    'Usage: ledger bench <suite> [--quick] [--events N]',
    '',
    'Prints the suite\'s measurements as JSON on stdout.',
    '',
    'Suites:',
    ...Object.entries(benchSuites).map(([name, suite]) => `  ${name.padEnd(10)} ${suite.summary}`),
    '',
    'Options:',
    '  --quick      smaller counts, noisier figures',
    '  --events N   length of the log to measure on',
  ].join('\n');

type Parsed = { ok: true; suite: string; options: BenchOptions } | { ok: false; message: string };

export function parseBenchArgs(argv: string[]): Parsed {
  let suite: string | undefined;
  const options: BenchOptions = { quick: false, events: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') options.quick = true;
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
  if (suite === undefined) return { ok: false, message: 'name a suite' };
  if (!Object.hasOwn(benchSuites, suite)) return { ok: false, message: `unknown suite "${suite}"` };
  return { ok: true, suite, options };
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
    const report = await benchSuites[parsed.suite]!.run(parsed.options);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return ExitCode.ok;
  },
};
