// CSV and .xlsx for the `ledger` commands, written by the page's export module (src/web/export.js
// through src/ledger/web-modules.ts), so a file from the CLI reads like one from the page: a
// UTF-8 byte-order mark, CRLF, money as numeric yuan (1496989.08) under a "(CNY)" title, instants
// as local time with the policy zone's offset, and a formula guard on text cells only (a leading
// = + - @ tab CR gets a single quote; numbers never). Control and bidi characters in text are
// written as visible escapes (terminal.ts): CSV is read on terminals too.
import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { formatLocalInstant } from '../../domain/quarter.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { type ExportKind, type ExportTable, webExport } from '../../ledger/web-modules.js';
import { type Cell, columnTitle, isMoneyColumn, type Row } from './table.js';
import { safeLines } from './terminal.js';

/** Instant columns: occurredAt, recordedAt, signedAt, lastProgressAt, since, … */
export function isInstantColumn(column: string): boolean {
  const last = column.split('.').at(-1) ?? column;
  return /At$/.test(last) || last === 'since';
}

function kindOf(column: string, value: Cell | undefined): ExportKind {
  if (typeof value === 'number') return isMoneyColumn(column) ? 'money' : 'count';
  if (typeof value === 'string' && isInstantColumn(column) && !Number.isNaN(Date.parse(value))) return 'instant';
  return 'text';
}

let defaultZone: string | undefined;
/** The zone of the policy the environment names (LEDGER_POLICY_FILE), for callers that have no read side. */
export function policyZone(): string {
  defaultZone ??= policyFromEnv().timeZone;
  return defaultZone;
}

/** Rows (keyed like the JSON) as the export module's typed table; titles as the table's ("accrued (CNY)"). */
export function rowsTable(name: string, rows: readonly Row[], timeZone: string = policyZone()): ExportTable {
  const header = rows.length === 0 ? [] : Object.keys(rows[0]!);
  return {
    name,
    timeZone,
    columns: header.map((h) => ({ title: columnTitle(h), kind: isMoneyColumn(h) ? 'money' : 'text' })),
    rows: rows.map((r) =>
      header.map((h) => {
        const value = r[h];
        const kind = kindOf(h, value);
        return { kind, value: kind === 'text' && value !== null && value !== undefined ? safeLines(String(value)) : value };
      }),
    ),
  };
}

/** Rows as a CSV file's text; the header comes from the first row's columns. No rows: empty output. */
export function toCsv(rows: readonly Row[], timeZone?: string): string {
  if (rows.length === 0) return '';
  return webExport.tableCsv(rowsTable('rows', rows, timeZone));
}

/** Tables as an .xlsx workbook (one sheet each, numbers as numbers) written to `file`. */
export async function writeXlsx(file: string, tables: readonly ExportTable[]): Promise<void> {
  writeFileSync(file, await webExport.workbookBytes(ExcelJS, tables), { mode: 0o600 });
}

/** Rows for a terminal table: every instant column as local time with the zone's offset. */
export function withLocalInstants(rows: readonly Row[], timeZone: string): Row[] {
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, kindOf(k, v) === 'instant' ? formatLocalInstant(String(v), timeZone) : v])),
  );
}
