// `ledger report tiers|balances|pipeline [--as-of T] [--valid-at T] [--csv|--json] [--wide] [--data-dir D]`:
// the channel manager's reports as they stood at any instant; `ledger report weekly --week 2025-W14
// [--partner P] [--as-of T]`: the weekly report as of that week's review (src/domain/weekly-report.ts). Money is printed in fen in JSON
// (exact), as yuan in CSV, and as CNY with two decimals in the table. The balances table names
// each partner, ends with a totals row and fits the terminal (the columns that matter first, long
// names cut); --wide prints every column.
import { ExitCode, type CliCommand } from '../command.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { openReadSideFromEnv, type ReadSide } from '../../ledger/read-side.js';
import type { TimeQuery } from '../../../projections/cut.js';
import { formatLocalInstant } from '../../domain/quarter.js';
import { rowsTable, toCsv, withLocalInstants, writeXlsx } from '../format/csv.js';
import { timeQueryOfFlags } from '../time-flags.js';
import { fitTable, formatTable, type Row } from '../format/table.js';
import { terminalColumns } from '../format/width.js';
import { ReportQueries, type BalanceTotals } from '../../ledger/report-queries.js';
import { safeJson, safeText } from '../format/terminal.js';
import { type IsoWeek, parseIsoWeek, type WeeklyReport, weekWindow } from '../../domain/weekly-report.js';
import { policyFromEnv } from '../../ledger/policy-file.js';

const reports = ['tiers', 'balances', 'pipeline', 'weekly'] as const;
type ReportName = (typeof reports)[number];

const usage = `Usage: ledger report tiers|balances|pipeline [--as-of T] [--valid-at T] [--csv|--json] [--xlsx FILE] [--wide] [--data-dir D]
       ledger report weekly --week 2025-W14 [--partner P] [--as-of T] [--csv|--json] [--xlsx FILE] [--data-dir D]

--as-of T     as the ledger knew it at instant T (default: now)
--valid-at T  the business as it stood at instant T, as known now (or at --as-of)
              T: an instant with its zone (2026-07-01T00:00:00+08:00), or a date (2026-07-01):
              the end of that day in the policy's time zone
--csv         CSV for spreadsheets (UTF-8 with BOM, CRLF, money as numeric yuan, local times)
--json        JSON (money in fen, instants in UTC)
--xlsx FILE   an Excel workbook (money as numbers); default a table (money in CNY)
--wide        the balances table with every column (by default it fits the terminal: partner,
              name, payable, accrued, paid out, deposit, debt, then what else has figures)
--week W      weekly: the ISO week; the report is as of its review (policy weeklyReview,
              default Thursday 10:00 in the policy's time zone): one row per deal, then per
              partner the month's port forecast and sales achieved (in JSON: the whole report)
--partner P   weekly: one partner only`;


export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'tiers, balances or the pipeline as of any instant, or the weekly report of an ISO week (table, CSV or JSON)',
  usage,
  async run(argv) {
    let name: ReportName;
    let query: TimeQuery;
    let format: 'table' | 'csv' | 'json';
    let dataDir: string | undefined;
    let xlsxFile: string | undefined;
    let wide = false;
    let weekly: { week: IsoWeek; partnerId: string | undefined } | undefined;
    try {
      const args = parseArgs(argv, ['as-of', 'valid-at', 'data-dir', 'xlsx', 'week', 'partner'], ['csv', 'json', 'wide']);
      const [first, ...extra] = args.positionals;
      if (!first || !(reports as readonly string[]).includes(first)) throw new UsageError(`name a report: ${reports.join(', ')}`);
      if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
      if (args.flags.has('csv') && args.flags.has('json')) throw new UsageError('choose one of --csv and --json');
      name = first as ReportName;
      query = timeQueryOfFlags(args.values);
      format = args.flags.has('csv') ? 'csv' : args.flags.has('json') ? 'json' : 'table';
      dataDir = args.values.get('data-dir');
      xlsxFile = args.values.get('xlsx');
      wide = args.flags.has('wide');
      if (name === 'weekly') {
        const week = args.values.get('week');
        if (week === undefined) throw new UsageError('report weekly needs --week, e.g. --week 2025-W14');
        const parsed = parseIsoWeek(week);
        if (parsed === null) throw new UsageError(`--week ${week} is not an ISO week: expected a week like 2025-W14`);
        if (query.validAt !== undefined) throw new UsageError('report weekly is as of the week\'s review: --valid-at does not apply (--as-of does)');
        weekly = { week: parsed, partnerId: args.values.get('partner') };
      } else if (args.values.has('week') || args.values.has('partner')) throw new UsageError('--week and --partner belong to report weekly');
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof RangeError)) throw error;
      process.stderr.write(`ledger report: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const side = await openReadSideFromEnv(dataDir);
    try {
      if (weekly) return await weeklyOutput(side, weekly.week, weekly.partnerId, query, format, xlsxFile);
      const { rows, json, totals } = await reportRows(side, name, query);
      const zone = side.timeZone;
      const cut = side.queries.cutInfo(query);
      if (xlsxFile) {
        await writeXlsx(xlsxFile, [rowsTable(name, rows, zone)]);
        process.stdout.write(`${name}: ${rows.length} rows written to ${safeText(xlsxFile)}\n`);
      } else if (format === 'json') process.stdout.write(`${safeJson(JSON.stringify({ report: name, cut, timeZone: zone, data: json, ...(totals ? { totals } : {}) }, null, 2))}\n`);
      else if (format === 'csv') process.stdout.write(toCsv(rows, zone));
      else {
        // Instants as local time in the policy's zone with its offset: 2026-07-01 00:00:00 +08:00.
        const known = cut.asOf ? formatLocalInstant(cut.asOf, zone, true) : 'now';
        const money = name === 'balances' && !wide ? '; money in CNY' : '';
        process.stdout.write(`${name} as known ${known} (position ${cut.position})${cut.validAt ? `, valid at ${formatLocalInstant(cut.validAt, zone, true)}` : ''}; times in ${zone}${money}\n\n`);
        if (name === 'balances') process.stdout.write(balancesTable(rows, totals ?? null, wide));
        else process.stdout.write(formatTable(withLocalInstants(rows, zone)));
      }
      return ExitCode.ok;
    } finally {
      await side.close();
    }
  },
};

/** The balance columns a narrow terminal keeps, in the order it keeps them. */
const BALANCE_PRIORITY = ['partnerId', 'name', 'payable', 'accrued', 'paidOut', 'deposit', 'debt', 'creditAvailable', 'trafficOutstanding', 'tier', 'clawedBack', 'shortfall', 'creditStatus', 'creditLimit', 'rebateBalance', 'pendingClawback', 'depositRequired'];
/** The table's column order (name and tier beside the partner id; CSV and JSON keep the API's order). */
const BALANCE_COLUMNS = ['partnerId', 'name', 'tier', 'accrued', 'clawedBack', 'paidOut', 'payable', 'pendingClawback', 'deposit', 'debt', 'depositRequired', 'shortfall', 'creditLimit', 'trafficOutstanding', 'creditAvailable', 'creditStatus', 'rebateBalance'];
/** Left out of the fitted table when every partner has 0 or nothing there. */
const BALANCE_OPTIONAL = ['clawedBack', 'shortfall', 'creditAvailable', 'trafficOutstanding', 'creditStatus', 'creditLimit', 'rebateBalance', 'pendingClawback', 'depositRequired'];

/** Balances with partner names and a totals row: fitted to the terminal, or every column with --wide. */
export function balancesTable(given: readonly Row[], totals: BalanceTotals | null, wide: boolean, width: number = terminalColumns()): string {
  const ordered = (r: Row): Row => Object.fromEntries([...BALANCE_COLUMNS.filter((c) => c in r), ...Object.keys(r).filter((c) => !BALANCE_COLUMNS.includes(c))].map((c) => [c, r[c] ?? null]));
  const rows = given.map(ordered);
  const foot: Row[] = totals ? [{ partnerId: 'total', name: `${rows.length} partner${rows.length === 1 ? '' : 's'}`, tier: '', ...totals, creditStatus: '' }] : [];
  if (wide) return fitTable(rows, { foot }).text;
  // Only a reseller's service can be suspended: the others show no credit status.
  const shown = rows.map((r) => (r.creditLimit === null ? { ...r, creditStatus: null } : r));
  const { text, omitted } = fitTable(shown, {
    maxWidth: width,
    priority: BALANCE_PRIORITY,
    essential: BALANCE_PRIORITY.slice(0, 7),
    shrink: { name: 12 },
    dropWhenEmpty: BALANCE_OPTIONAL,
    plainMoneyTitles: true,
    foot,
  });
  if (omitted.length === 0) return text;
  return `${text}\n${wrapWords(`(${omitted.length} more column${omitted.length === 1 ? '' : 's'}: ${omitted.join(', ')}; --wide shows them)`, width)}\n`;
}

/** Text broken at spaces into lines of at most `width` columns (ASCII text). */
function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

/** The weekly report: a row per deal (table, CSV, xlsx) with each partner's month figures after the table, or the whole report as JSON. */
async function weeklyOutput(side: ReadSide, week: IsoWeek, partnerId: string | undefined, query: TimeQuery, format: 'table' | 'csv' | 'json', xlsxFile: string | undefined): Promise<number> {
  const window = weekWindow(week, policyFromEnv());
  const report = await side.queries.weekly(window, { asOf: query.asOf, partnerId });
  const zone = side.timeZone;
  const rows = weeklyRows(report);
  if (xlsxFile) {
    await writeXlsx(xlsxFile, [rowsTable('weekly', rows, zone)]);
    process.stdout.write(`weekly: ${rows.length} rows written to ${safeText(xlsxFile)}\n`);
  } else if (format === 'json') process.stdout.write(`${safeJson(JSON.stringify({ report: 'weekly', timeZone: zone, data: report }, null, 2))}\n`);
  else if (format === 'csv') process.stdout.write(toCsv(rows, zone));
  else {
    const known = query.asOf ? formatLocalInstant(side.queries.cutInfo(query).asOf ?? query.asOf, zone, true) : 'now';
    process.stdout.write(`weekly ${report.week} as of the review ${formatLocalInstant(report.review, zone, true)} (since ${formatLocalInstant(report.previousReview, zone, true)}), as known ${known} (position ${report.position}); times in ${zone}\n\n`);
    process.stdout.write(formatTable(withLocalInstants(rows, zone)));
    process.stdout.write('\n');
    for (const p of report.partners) {
      process.stdout.write(
        `${safeText(p.partnerId)}: ${p.deals.length} deals, ${p.newThisWeek.length} new this week, ${p.progressOnEarlier.length} advanced, ${p.supportNeeded.length} needing support; ${report.month} port forecast ${p.monthPortForecast}, sales achieved ${p.monthSales.ports} ports (${p.monthSales.deals.length} deals)\n`,
      );
    }
  }
  return ExitCode.ok;
}

/** One row per deal of the weekly report: its figures at the review and what the week says of it. */
export function weeklyRows(report: WeeklyReport): Row[] {
  return report.partners.flatMap((p) => {
    const support = new Set(p.supportNeeded.map((d) => d.dealId));
    const fresh = new Set(p.newThisWeek.map((d) => d.dealId));
    const progress = new Map(p.progressOnEarlier.map((g) => [g.dealId, `${g.from} → ${g.to}`]));
    const sold = new Map(p.monthSales.deals.map((s) => [s.dealId, s.ports]));
    return p.deals.map((d) => ({
      partnerId: p.partnerId,
      dealId: d.dealId,
      customerName: d.customerName,
      stage: d.stage,
      expectedPorts: d.expectedPorts,
      expectedRevenueFen: d.expectedRevenueFen,
      supportNeeded: support.has(d.dealId),
      newThisWeek: fresh.has(d.dealId),
      progressThisWeek: progress.get(d.dealId) ?? '',
      soldPortsThisMonth: sold.get(d.dealId) ?? null,
      forecastRevisedAt: d.forecastRevisedAt,
    }));
  });
}

async function reportRows(side: ReadSide, name: ReportName, query: TimeQuery): Promise<{ rows: Row[]; json: unknown; totals?: BalanceTotals }> {
  switch (name) {
    case 'tiers': {
      const tiers = await side.queries.tiers(query);
      return { rows: tiers.map((t) => ({ ...t })), json: tiers };
    }
    case 'balances': {
      // The report page's balances (names, tiers, column totals), as GET /reports/balances answers them.
      const reports = new ReportQueries({ queries: side.queries, store: side.store, quarterOf: side.rules.quarterOf, timeZone: side.timeZone, nowIso: () => new Date().toISOString() });
      const report = await reports.balances(query);
      return { rows: report.partners.map((b) => ({ ...b })), json: report.partners, totals: report.totals };
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
    case 'weekly':
      throw new Error('the weekly report is written by weeklyOutput');
    default: {
      const never: never = name;
      throw new Error(`unknown report ${String(never)}`);
    }
  }
}
