// `ledger rebates <partnerId> --year Y` and `ledger awards <year>` [--as-of T] [--valid-at T]
// [--csv|--json] [--data-dir D]: the rebate programme as it stood at any instant. Money is fen in
// CSV and JSON, CNY in the table.
import { ExitCode, type CliCommand } from '../command.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { openReadSideFromEnv } from '../../ledger/read-side.js';
import { RebateQueries } from '../../ledger/rebate-queries.js';
import type { TimeQuery } from '../../../projections/cut.js';
import { timeQueryOfFlags } from '../time-flags.js';
import { rowsTable, toCsv, writeXlsx } from '../format/csv.js';
import { formatTable } from '../format/table.js';
import { safeJson, safeLines } from '../format/terminal.js';

const timeHelp = `--as-of T     as the ledger knew it at instant T (default: now)
--valid-at T  the business as it stood at instant T, as known now (or at --as-of)
              T: an instant with its zone, or a date: the end of that day in the policy's time zone
--csv         CSV for spreadsheets (BOM, CRLF, money as numeric yuan); --json JSON (money in fen)
--xlsx FILE   an Excel workbook (money as numbers); default a table (money in CNY)`;

type Row = Record<string, string | number | boolean | null>;

interface Parsed {
  positional: string;
  year: number | null;
  query: TimeQuery;
  format: 'table' | 'csv' | 'json';
  dataDir: string | undefined;
  xlsxFile: string | undefined;
}

function parse(argv: string[], withYearFlag: boolean): Parsed {
  const args = parseArgs(argv, ['as-of', 'valid-at', 'data-dir', 'xlsx', ...(withYearFlag ? ['year'] : [])], ['csv', 'json']);
  const [positional, ...extra] = args.positionals;
  if (!positional) throw new UsageError(withYearFlag ? 'name a partner' : 'name a year');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (args.flags.has('csv') && args.flags.has('json')) throw new UsageError('choose one of --csv and --json');
  const yearText = withYearFlag ? args.values.get('year') : positional;
  if (yearText === undefined) throw new UsageError('--year needs a year like 2026');
  if (!/^[1-9]\d{3}$/.test(yearText)) throw new UsageError(`${withYearFlag ? '--year' : '<year>'} must be a year like 2026, got "${yearText}"`);
  return {
    positional,
    year: Number(yearText),
    query: timeQueryOfFlags(args.values),
    format: args.flags.has('csv') ? 'csv' : args.flags.has('json') ? 'json' : 'table',
    dataDir: args.values.get('data-dir'),
    xlsxFile: args.values.get('xlsx'),
  };
}

async function withQueries<T>(dataDir: string | undefined, run: (q: RebateQueries) => T): Promise<T> {
  const side = await openReadSideFromEnv(dataDir);
  try {
    return run(new RebateQueries(side.queries, side.runner, policyFromEnv()));
  } finally {
    await side.close();
  }
}

async function print(p: Parsed, sheet: string, title: string, rows: Row[], json: unknown): Promise<void> {
  const format = p.format;
  if (p.xlsxFile) {
    await writeXlsx(p.xlsxFile, [rowsTable(sheet, rows)]);
    process.stdout.write(`${sheet}: ${rows.length} rows written to ${safeLines(p.xlsxFile)}\n`);
  } else if (format === 'json') process.stdout.write(`${safeJson(JSON.stringify(json, null, 2))}\n`);
  else if (format === 'csv') process.stdout.write(toCsv(rows));
  else process.stdout.write(`${safeLines(title)}\n\n${formatTable(rows)}`);
}

function usageFailure(name: string, usage: string, error: unknown): number {
  if (!(error instanceof UsageError || error instanceof RangeError)) throw error;
  process.stderr.write(`ledger ${name}: ${error.message}\n\n${usage}\n`);
  return ExitCode.usage;
}

const rebatesUsage = `Usage: ledger rebates <partnerId> --year Y [--as-of T] [--valid-at T] [--csv|--json] [--xlsx FILE] [--data-dir D]\n\n${timeHelp}`;

export const rebatesCommand: CliCommand = {
  name: 'rebates',
  summary: "a partner's rebate year quarter by quarter (target, purchases, step, rate, rebate)",
  usage: rebatesUsage,
  async run(argv) {
    let p: Parsed;
    try {
      p = parse(argv, true);
    } catch (error) {
      return usageFailure('rebates', rebatesUsage, error);
    }
    const answer = await withQueries(p.dataDir, (q) => q.rebates(p.positional, p.year!, p.query));
    if (!answer) {
      process.stderr.write(`ledger rebates: no partner ${safeLines(p.positional)}\n`);
      return ExitCode.notFound;
    }
    const rows: Row[] = answer.quarters.map((q) => ({
      quarter: q.quarter,
      cumulativeTargetFen: q.cumulativeTarget,
      purchasesFen: q.purchases,
      bidPurchasesFen: q.bidPurchases,
      cumulativePurchasesFen: q.cumulativePurchases,
      step: q.step,
      rateBps: q.rateBps,
      rebateFen: q.rebate,
      evaluated: q.evaluated,
      payer: q.payerPartnerId ?? 'vendor',
    }));
    const commitment = answer.commitment === null ? 'no commitment' : `commitment ${answer.commitment} fen`;
    const title = `rebates of ${answer.partnerId} (${answer.kind}) for ${answer.year}: ${commitment}; earned ${answer.earned} fen, unpaid ${answer.unpaid} fen${answer.illustrative ? ' [illustrative steps]' : ''} (position ${answer.cut.position})`;
    await print(p, `rebates ${answer.partnerId} ${answer.year}`, title, rows, answer);
    return ExitCode.ok;
  },
};

const awardsUsage = `Usage: ledger awards <year> [--as-of T] [--valid-at T] [--csv|--json] [--xlsx FILE] [--data-dir D]\n\n${timeHelp}`;

export const awardsCommand: CliCommand = {
  name: 'awards',
  summary: "the year's top-N partners by purchases of the high-end product line",
  usage: awardsUsage,
  async run(argv) {
    let p: Parsed;
    try {
      p = parse(argv, false);
    } catch (error) {
      return usageFailure('awards', awardsUsage, error);
    }
    const answer = await withQueries(p.dataDir, (q) => q.awards(p.year!, p.query));
    const rows: Row[] = answer.ranking.map((r) => ({ rank: r.rank, partnerId: r.partnerId, name: r.name, purchasesFen: r.purchases }));
    await print(p, `awards ${answer.year}`, `top ${answer.topN} of ${answer.year} by ${answer.productLine} purchases (position ${answer.cut.position})`, rows, answer);
    return ExitCode.ok;
  },
};
