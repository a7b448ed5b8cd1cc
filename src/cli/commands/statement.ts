// `ledger statement <partner> <quarter> [--as-of T] [--valid-at T] [--pdf FILE] [--xlsx FILE]
// [--csv|--json] [--data-dir D]`: a partner's quarterly commission statement, every line with the
// payment or refund it comes from and its cash date; as a table (CNY), CSV or JSON, an .xlsx
// workbook, or a PDF in Chinese with the chain head hash (src/ledger/statement-document.ts).
import { writeFileSync } from 'node:fs';
import { parseArgs, UsageError } from '../cli-args.js';
import { openReadSideFromEnv } from '../../ledger/read-side.js';
import { NoCjkFontError, statementDocument, statementPdf, statementTable } from '../../ledger/statement-document.js';
import { webExport } from '../../ledger/web-modules.js';
import { EntityId, Quarter } from '../../ledger/commands/fields.js';
import { formatFen } from '../../domain/money.js';
import { formatLocalInstant } from '../../domain/quarter.js';
import type { TimeQuery } from '../../../projections/cut.js';
import { ExitCode, type CliCommand } from '../command.js';
import { writeXlsx } from '../format/csv.js';
import { formatTable } from '../format/table.js';
import { outputFormatOf, type OutputFormat } from '../format/output.js';
import { safeJson, safeLines } from '../format/terminal.js';
import { timeQueryOfFlags } from '../time-flags.js';

const usage = `Usage: ledger statement <partner> <quarter> [--as-of T] [--valid-at T] [--pdf FILE] [--xlsx FILE] [--csv|--json] [--data-dir D]

A partner's commission statement for a quarter (e.g. P-001 2026-Q2): every line with the payment
or refund it comes from, its cash date and the payout that settled it.
--as-of T     as the ledger knew it at T; --valid-at T  the business as it stood at T
              (T an instant with its zone, or a date: the end of that day in the policy's zone)
--pdf FILE    write the statement as a PDF (Chinese, embedded CJK font, the chain head hash)
--xlsx FILE   write the lines as an Excel workbook (money as numbers)
--csv | --json  the lines as CSV (numeric yuan) or the statement as JSON (fen)`;

export const statementCommand: CliCommand = {
  name: 'statement',
  summary: "a partner's quarterly statement: table, CSV, JSON, .xlsx or PDF",
  usage,
  async run(argv) {
    let partnerId: string;
    let quarter: string;
    let query: TimeQuery;
    let format: OutputFormat;
    let pdfFile: string | undefined;
    let xlsxFile: string | undefined;
    let dataDir: string | undefined;
    try {
      const args = parseArgs(argv, ['as-of', 'valid-at', 'data-dir', 'pdf', 'xlsx'], ['json', 'csv']);
      if (args.positionals.length !== 2) throw new UsageError('name a partner and a quarter, e.g. P-001 2026-Q2');
      const id = EntityId.safeParse(args.positionals[0]);
      if (!id.success) throw new UsageError(`"${args.positionals[0]}" is not a partner id`);
      const q = Quarter.safeParse(args.positionals[1]);
      if (!q.success) throw new UsageError(`"${args.positionals[1]}" is not a quarter like 2026-Q2`);
      partnerId = id.data;
      quarter = q.data;
      query = timeQueryOfFlags(args.values);
      format = outputFormatOf(args.flags);
      pdfFile = args.values.get('pdf');
      xlsxFile = args.values.get('xlsx');
      dataDir = args.values.get('data-dir');
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof RangeError)) throw error;
      process.stderr.write(`ledger statement: ${safeLines(error.message)}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const side = await openReadSideFromEnv(dataDir);
    try {
      const doc = await statementDocument(side, partnerId, quarter, query);
      if (!doc) {
        process.stderr.write(`ledger statement: the ledger knew no partner ${safeLines(partnerId)}${query.asOf ? ` at ${query.asOf}` : ''}\n`);
        return ExitCode.checkFailed;
      }
      if (pdfFile || xlsxFile) {
        if (pdfFile) {
          try {
            writeFileSync(pdfFile, await statementPdf(doc), { mode: 0o600 });
          } catch (error) {
            if (!(error instanceof NoCjkFontError)) throw error;
            process.stderr.write(`ledger statement: ${error.message}\n`);
            return ExitCode.refused;
          }
        }
        if (xlsxFile) await writeXlsx(xlsxFile, [statementTable(doc)]);
        const written = [pdfFile, xlsxFile].filter(Boolean).join(', ');
        process.stdout.write(`statement ${partnerId} ${quarter}: ${doc.statement.lines.length} lines, written to ${safeLines(written)}\n`);
        return ExitCode.ok;
      }
      if (format === 'json') process.stdout.write(`${safeJson(JSON.stringify({ ...doc.statement, cut: doc.cut, head: doc.head }, null, 2))}\n`);
      else if (format === 'csv') process.stdout.write(doc.statement.lines.length === 0 ? '' : webExport.tableCsv(statementTable(doc)));
      else {
        const s = doc.statement;
        const zone = doc.timeZone;
        const head = [
          `Statement ${doc.partnerName} (${s.partnerId}) ${s.quarter}: ${formatLocalInstant(doc.quarterStart, zone)} to ${formatLocalInstant(doc.quarterEnd, zone, true)} (${zone})`,
          `as known ${doc.cut.asOf ? formatLocalInstant(doc.cut.asOf, zone, true) : 'now'} (position ${doc.cut.position})${doc.cut.validAt ? `, valid at ${formatLocalInstant(doc.cut.validAt, zone, true)}` : ''}`,
          '',
        ].join('\n');
        const rows = s.lines.map((l) => ({
          position: l.position,
          kind: l.kind,
          cashAt: formatLocalInstant(l.cashAt, zone),
          paymentId: l.paymentId,
          refundId: l.refundId,
          line: l.revenueLine,
          cashFen: l.cashFen,
          rateBps: l.rateBps,
          commissionFen: l.commissionFen,
          settledBy: l.settledBy?.quarter ?? null,
          priorPeriod: l.priorPeriodAdjustment,
        }));
        const totals = `accrued ${formatFen(s.accruedFen)}  clawed back ${formatFen(s.clawedBackFen)}  net ${formatFen(s.netFen)}  paid ${s.payout ? formatFen(s.payout.paidFen) : '-'}`;
        const chain = doc.head ? `chain head: position ${doc.head.position} ${doc.head.hash}` : 'chain head: the log is empty';
        process.stdout.write(`${safeLines(head)}\n${formatTable(rows)}\n${totals}\n${chain}\n`);
      }
      return ExitCode.ok;
    } finally {
      await side.close();
    }
  },
};

