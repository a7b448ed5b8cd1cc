// `ledger report tiers|balances|pipeline [--as-of T] [--valid-at T] [--csv|--json] [--data-dir D]`:
// the channel manager's reports as they stood at any instant. Money is printed in fen in CSV and
// JSON (exact), and as CNY with two decimals in the table.
import { ExitCode, type CliCommand } from '../command.js';
import { parseArgs, UsageError } from '../../ledger/cli-args.js';
import { openReadSideFromEnv, type ReadSide } from '../../ledger/read-side.js';
import type { TimeQuery } from '../../../projections/cut.js';
import { formatLocalInstant } from '../../domain/quarter.js';
import { rowsTable, toCsv, withLocalInstants, writeXlsx } from '../format/csv.js';
import { timeQueryOfFlags } from '../time-flags.js';
import { formatTable, type Row } from '../format/table.js';
import { safeJson, safeText } from '../format/terminal.js';

const reports = ['tiers', 'balances', 'pipeline'] as const;
type ReportName = (typeof reports)[number];

const usage = `Usage: ledger report tiers|balances|pipeline [--as-of T] [--valid-at T] [--csv|--json] [--xlsx FILE] [--data-dir D]

--as-of T     as the ledger knew it at instant T (default: now)
--valid-at T  the business as it stood at instant T, as known now (or at --as-of)
              T: an instant with its zone (2026-07-01T00:00:00+08:00), or a date (2026-07-01):
              the end of that day in the policy's time zone
--csv         CSV for spreadsheets (UTF-8 with BOM, CRLF, money as numeric yuan, local times)
--json        JSON (money in fen, instants in UTC)
--xlsx FILE   an Excel workbook (money as numbers); default a table (money in CNY)`;


export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'tiers, balances or the pipeline as of any instant (table, CSV or JSON)',
  usage,
  async run(argv) {
    let name: ReportName;
    let query: TimeQuery;
    let format: 'table' | 'csv' | 'json';
    let dataDir: string | undefined;
    let xlsxFile: string | undefined;
    try {
      const args = parseArgs(argv, ['as-of', 'valid-at', 'data-dir', 'xlsx'], ['csv', 'json']);
      const [first, ...extra] = args.positionals;
      if (!first || !(reports as readonly string[]).includes(first)) throw new UsageError(`name a report: ${reports.join(', ')}`);
      if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
      if (args.flags.has('csv') && args.flags.has('json')) throw new UsageError('choose one of --csv and --json');
      name = first as ReportName;
      query = timeQueryOfFlags(args.values);
      format = args.flags.has('csv') ? 'csv' : args.flags.has('json') ? 'json' : 'table';
      dataDir = args.values.get('data-dir');
      xlsxFile = args.values.get('xlsx');
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof RangeError)) throw error;
      process.stderr.write(`ledger report: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const side = await openReadSideFromEnv(dataDir);
    try {
      const { rows, json } = await reportRows(side, name, query);
      const zone = side.timeZone;
      const cut = side.queries.cutInfo(query);
      if (xlsxFile) {
        await writeXlsx(xlsxFile, [rowsTable(name, rows, zone)]);
        process.stdout.write(`${name}: ${rows.length} rows written to ${safeText(xlsxFile)}\n`);
      } else if (format === 'json') process.stdout.write(`${safeJson(JSON.stringify({ report: name, cut, timeZone: zone, data: json }, null, 2))}\n`);
      else if (format === 'csv') process.stdout.write(toCsv(rows, zone));
      else {
        // Instants as local time in the policy's zone with its offset: 2026-07-01 00:00:00 +08:00.
        const known = cut.asOf ? formatLocalInstant(cut.asOf, zone, true) : 'now';
        process.stdout.write(`${name} as known ${known} (position ${cut.position})${cut.validAt ? `, valid at ${formatLocalInstant(cut.validAt, zone, true)}` : ''}; times in ${zone}\n\n`);
        process.stdout.write(formatTable(withLocalInstants(rows, zone)));
      }
      return ExitCode.ok;
    } finally {
      await side.close();
    }
  },
};

async function reportRows(side: ReadSide, name: ReportName, query: TimeQuery): Promise<{ rows: Row[]; json: unknown }> {
  switch (name) {
    case 'tiers': {
      const tiers = await side.queries.tiers(query);
      return { rows: tiers.map((t) => ({ ...t })), json: tiers };
    }
    case 'balances': {
      const balances = await side.queries.balances(query);
      return { rows: balances.map((b) => ({ ...b })), json: balances };
    }
    case 'pipeline': {
      const pipeline = await side.queries.pipeline(query);
      const rows = pipeline.partners.flatMap((p) =>
        p.deals.map((d) => ({
          partnerId: p.partnerId,
          dealId: d.dealId,
          customerKey: d.customerKey,
          stage: d.stage,
          expectedPorts: d.expectedPorts,
          expectedRevenueFen: d.expectedRevenueFen,
          key: d.key,
          stale: d.stale,
          idleDays: d.idleDays,
          lastProgressAt: d.lastProgressAt,
        })),
      );
      return { rows, json: pipeline };
    }
    default: {
      const never: never = name;
      throw new Error(`unknown report ${String(never)}`);
    }
  }
}
