// Human-readable tables for the `ledger` commands: aligned columns, money (integer fen) shown as
// CNY with thousands separators and two decimals; the values themselves are never rounded. Text
// is printed terminal-safe (terminal.ts): a control character in a name shows as \x1b.
import { safeText } from './terminal.js';

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

const MONEY_COLUMNS = new Set(['accrued', 'clawedBack', 'paidOut', 'payable', 'pendingClawback', 'deposit', 'debt', 'depositRequired', 'shortfall', 'creditLimit', 'trafficOutstanding', 'creditAvailable', 'rebateBalance']);

/** Money columns: the balance names, and any column whose name ends in Fen. */
export function isMoneyColumn(column: string): boolean {
  const last = column.split('.').at(-1) ?? column;
  return MONEY_COLUMNS.has(last) || last.endsWith('Fen');
}

/** Integer fen as CNY: 123456789 → "1,234,567.89". Exact: integer arithmetic only. */
export function formatCny(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`${fen} is not a whole number of fen`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = (abs - (abs % 100)) / 100;
  return `${sign}${yuan.toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

function cellText(column: string, value: Cell): string {
  if (value === null) return '-';
  if (typeof value === 'number' && isMoneyColumn(column)) return formatCny(value);
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return safeText(String(value));
}

/** A column title: money columns say they are CNY ("paidOut (CNY)", "receivedFen" → "received (CNY)"). */
export function columnTitle(column: string): string {
  return safeText(isMoneyColumn(column) ? `${column.replace(/Fen$/, '')} (CNY)` : column);
}

/** Rows as an aligned text table (numbers right-aligned); "(nothing)" for no rows. */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(nothing)\n';
  const header = Object.keys(rows[0]!);
  const cells = rows.map((r) => header.map((h) => cellText(h, r[h] ?? null)));
  const titles = header.map(columnTitle);
  const numeric = header.map((h) => rows.every((r) => typeof r[h] === 'number' || r[h] === null || r[h] === undefined));
  const widths = titles.map((t, i) => Math.max(t.length, ...cells.map((c) => c[i]!.length)));
  const line = (cs: string[]) => cs.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(titles), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

/** A nested record flattened to dotted keys: {cash: {receivedFen: 1}} → {"cash.receivedFen": 1}. */
export function flattenRecord(record: Record<string, unknown>, prefix = ''): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(row, flattenRecord(value as Record<string, unknown>, name));
    else if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) row[name] = value.map(String).join(' ');
    else if (Array.isArray(value)) Object.assign(row, flattenRecord(Object.fromEntries(value.map((v, i) => [String(i), v])), name));
    else if (typeof value === 'bigint') row[name] = value.toString();
    else if (value === undefined) row[name] = null;
    else row[name] = value as Cell;
  }
  return row;
}

/** One record as a two-column table (field, value). */
export function formatRecord(record: Record<string, unknown>): string {
  const row = flattenRecord(record);
  const width = Math.max(...Object.keys(row).map((k) => columnTitle(k).length));
  return `${Object.entries(row)
    .map(([k, v]) => `${columnTitle(k).padEnd(width)}  ${cellText(k, v)}`)
    .join('\n')}\n`;
}
