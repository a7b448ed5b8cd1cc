// `ledger demo [--seed N] [--partners N] [--customers N] [--quarters N] [--last-quarter Q]
// [--data-dir D] [--json|--csv]`: generates the demo programme into an EMPTY data directory,
// through the real commands, with a progress bar on stderr and a summary on stdout.
import { generateDemo, openDemoDataDir, DemoRefusedError, type DemoSummary } from '../../demo/generate.js';
import { DAY_MS } from '../../demo/calendar.js';
import { DEMO_LIMITS } from '../../demo/plan.js';
import { parseQuarter, quarterEnd } from '../../domain/quarter.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { DEFAULT_DATA_DIR } from '../../store/open-store.js';
import { ExitCode, type CliCommand } from '../command.js';
import { outputFormatOf, renderRecord, type OutputFormat } from '../format/output.js';
import { ProgressBar } from '../format/progress.js';

/** The default last quarter: fixed, so the same seed gives the same log on any day. */
export const DEFAULT_LAST_QUARTER = '2026-Q3';

export const DEMO_DEFAULTS = { seed: 1, partners: 80, customers: 2000, quarters: 8 } as const;

const usage = [
  'Usage: ledger demo [--seed N] [--partners N] [--customers N] [--quarters N] [--last-quarter YYYY-Qn]',
  '                   [--data-dir D] [--json|--csv]',
  '',
  'Generates a realistic channel programme into an EMPTY data directory, through the ledger\'s own',
  'commands (every rule applies): gold, silver and standard partners (1:2:5), relationship partners',
  'under gold parents, a wholesale-voice reseller, partner and direct-sales claims, conflicts (ties',
  'won by the partner, competing partners, transfers after 4 idle weeks, rulings, lost deals),',
  'weekly stage reports back-filled by the channel manager, monthly conference, long-distance or',
  'ASP and yearly port',
  'cash, refunds with clawbacks, deposits per tier, quarterly payouts and tier evaluations (a',
  'certificate for every partner every quarter),',
  'the reseller\'s monthly traffic bills and settlements (a spike month reaches the deposit:',
  'its credit is suspended until the settlement resumes it), customer bills the partners collect',
  '(partly: the arrears deducted from the deposit after the grace period; or exempted for the',
  'vendor\'s fault), and the rebate',
  'programme (a distributor, value-added agents, one locked to it: yearly commitments, monthly',
  'purchases with bids and the high-end line, quarterly rebate evaluations, rebate payments).',
  'The same options and seed give the same log, byte for byte. recordedAt follows the programme',
  '(a simulated clock), ending shortly after the last quarter.',
  '',
  'Options:',
  `  --seed N           the random seed (default ${DEMO_DEFAULTS.seed})`,
  `  --partners N       partners signed (default ${DEMO_DEFAULTS.partners}: 10 gold, 20 silver, 50 standard)`,
  `  --customers N      customers registered (default ${DEMO_DEFAULTS.customers})`,
  `  --quarters N       quarters of history (default ${DEMO_DEFAULTS.quarters})`,
  `  --last-quarter Q   the programme's last quarter (default ${DEFAULT_LAST_QUARTER}); it must be over`,
  '  --data-dir D       the data directory (default $LEDGER_DATA_DIR or ./data)',
  '  --json | --csv     the summary as JSON or CSV (money in fen); default a table (money in CNY)',
  '',
  'Progress goes to stderr. Exit 0: generated; 2: bad usage; 3: the data directory already holds',
  'events (the demo never appends to a log), or the store or policy cannot take the demo.',
].join('\n');

export interface DemoArgs {
  seed: number;
  partners: number;
  customers: number;
  quarters: number;
  lastQuarter: string;
  dataDir: string;
  format: OutputFormat;
}

function wholeNumber(name: string, text: string | undefined, fallback: number, limits?: readonly [number, number]): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${name} needs a whole number, got "${text}"`);
  const value = Number(text);
  if (limits && (value < limits[0] || value > limits[1])) throw new UsageError(`--${name} must be from ${limits[0]} to ${limits[1]}, got ${value}`);
  return value;
}

export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, nowMs = Date.now()): DemoArgs {
  const args = parseArgs(argv, ['seed', 'partners', 'customers', 'quarters', 'last-quarter', 'data-dir'], ['json', 'csv']);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const lastQuarter = args.values.get('last-quarter') ?? DEFAULT_LAST_QUARTER;
  try {
    parseQuarter(lastQuarter);
  } catch {
    throw new UsageError(`--last-quarter must be a quarter like 2026-Q3, got "${lastQuarter}"`);
  }
  const timeZone = policyFromEnv(env).timeZone;
  if (Date.parse(quarterEnd(lastQuarter, timeZone)) + 14 * DAY_MS > nowMs) {
    throw new UsageError(`--last-quarter ${lastQuarter} is not over long enough: its payout and deposit top-ups would be recorded after now`);
  }
  return {
    seed: wholeNumber('seed', args.values.get('seed'), DEMO_DEFAULTS.seed),
    partners: wholeNumber('partners', args.values.get('partners'), DEMO_DEFAULTS.partners, DEMO_LIMITS.partners),
    customers: wholeNumber('customers', args.values.get('customers'), DEMO_DEFAULTS.customers, DEMO_LIMITS.customers),
    quarters: wholeNumber('quarters', args.values.get('quarters'), DEMO_DEFAULTS.quarters, DEMO_LIMITS.quarters),
    lastQuarter,
    dataDir: args.values.get('data-dir') ?? env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR,
    format: outputFormatOf(args.flags),
  };
}

/** The summary a person reads: the figures that show the programme is alive. */
export function summaryRecord(s: DemoSummary, dataDir: string): Record<string, unknown> {
  return {
    dataDir,
    seed: s.seed,
    quarters: `${s.quarters[0]}..${s.quarters.at(-1)}`,
    recorded: `${s.firstRecordedAt ?? '-'} .. ${s.lastRecordedAt ?? '-'}`,
    events: s.events,
    commands: s.commands,
    partners: s.partners,
    tiersAtEnd: s.tiersAtEnd,
    tierChanges: s.tierChanges,
    certificates: s.certificates,
    customers: s.customers,
    claims: s.claims,
    conflicts: s.conflicts,
    cash: s.cash,
    commission: s.commission,
    deposits: s.deposits,
    credit: s.credit,
    arrears: s.arrears,
    elapsedMs: s.elapsedMs,
    eventsPerSecond: s.eventsPerSecond,
    headHash: s.headHash,
  };
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'generate the demo programme (deterministic by --seed) into an empty data directory',
  usage,
  async run(argv) {
    let args: DemoArgs;
    try {
      args = parseDemoArgs(argv);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`ledger demo: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    if (process.env.EVENTSTORE_CONNECTION_STRING) {
      process.stderr.write('ledger demo: refused: the demo writes the embedded store of a data directory; unset EVENTSTORE_CONNECTION_STRING\n');
      return ExitCode.refused;
    }
    const policy = policyFromEnv();
    let sink;
    try {
      sink = await openDemoDataDir(args.dataDir, policy);
    } catch (error) {
      if (!(error instanceof DemoRefusedError)) throw error;
      process.stderr.write(`ledger demo: refused: ${error.message}\n`);
      return ExitCode.refused;
    }
    const bar = new ProgressBar(process.stderr, 'demo', 'commands');
    try {
      const summary = await generateDemo(
        { seed: args.seed, partners: args.partners, customers: args.customers, quarters: args.quarters, lastQuarter: args.lastQuarter, onProgress: (p) => bar.update(p.done, p.total, p.at.slice(0, 10)) },
        sink,
      );
      bar.finish();
      process.stdout.write(renderRecord(args.format, summaryRecord(summary, args.dataDir)));
      return ExitCode.ok;
    } catch (error) {
      bar.finish();
      if (!(error instanceof DemoRefusedError)) throw error;
      process.stderr.write(`ledger demo: refused: ${error.message}\n`);
      return ExitCode.refused;
    } finally {
      await sink.close();
    }
  },
};
