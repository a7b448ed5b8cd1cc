// Human-readable tables for the `ledger` commands: aligned columns, money (integer fen) shown as
// CNY with thousands separators and two decimals; the values themselves are never rounded. Text
// is printed terminal-safe (terminal.ts): a control character in a name shows as \x1b. Columns
// are measured in terminal columns (width.ts: a Chinese character takes two), and a table can be
// fitted to the terminal (fitTable): fewer columns, long names cut with "…".
import { safeText } from './terminal.js';
import { displayWidth, padEndTo, padStartTo, truncateTo } from './width.js';

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

/** How a table is fitted to a terminal (fitTable). */
export interface TableFit {
  /** At most this many columns wide; absent: every column at its full width. */
  maxWidth?: number;
  /** The columns in the order they are kept as space runs out (first kept longest); unnamed ones come after, in table order. */
  priority?: readonly string[];
  /** Columns that may be cut with "…", each down to the width given, to make room for an essential column. */
  shrink?: Readonly<Record<string, number>>;
  /** The columns worth cutting a shrinkable one for; any other is added only while everything fits uncut. */
  essential?: readonly string[];
  /** Columns left out when every row holds 0, null or nothing there (they would only take room). */
  dropWhenEmpty?: readonly string[];
  /** Money titles without " (CNY)" (the caller says once that money is in CNY). */
  plainMoneyTitles?: boolean;
  /** Rows under a rule after the others (totals); they do not decide which columns are empty. */
  foot?: readonly Row[];
}

export interface FittedTable {
  text: string;
  /** The columns left out, in table order. */
  omitted: string[];
}

const isEmptyValue = (value: Cell | undefined): boolean => value === null || value === undefined || value === 0;

/**
 * Rows as an aligned text table (numbers right-aligned), measured in terminal columns, fitted to
 * `fit.maxWidth` when given: empty columns named in dropWhenEmpty go first, shrinkable columns are
 * cut to their minimum, then columns are left out from the end of the priority order.
 */
export function fitTable(rows: readonly Row[], fit: TableFit = {}): FittedTable {
  if (rows.length === 0) return { text: '(nothing)\n', omitted: [] };
  const header = Object.keys(rows[0]!);
  const all = [...rows, ...(fit.foot ?? [])];
  const titleOf = (h: string): string => (fit.plainMoneyTitles ? safeText(h.replace(/Fen$/, '')) : columnTitle(h));
  const cellsOf = new Map(header.map((h) => [h, all.map((r) => cellText(h, r[h] ?? null))]));
  const natural = new Map(header.map((h) => [h, Math.max(displayWidth(titleOf(h)), ...cellsOf.get(h)!.map(displayWidth))]));
  const minimum = (h: string): number => Math.min(natural.get(h)!, Math.max(displayWidth(titleOf(h)), fit.shrink?.[h] ?? Infinity));
  const omitted = new Set<string>();
  let chosen = header;
  if (fit.maxWidth !== undefined) {
    const maxWidth = fit.maxWidth;
    for (const h of fit.dropWhenEmpty ?? []) if (header.includes(h) && rows.every((r) => isEmptyValue(r[h]))) omitted.add(h);
    const order = [...(fit.priority ?? []).filter((h) => header.includes(h)), ...header.filter((h) => !(fit.priority ?? []).includes(h))];
    const kept: string[] = [];
    const widthOf = (columns: readonly string[], cut: boolean): number =>
      columns.reduce((sum, h) => sum + (cut ? minimum(h) : natural.get(h)!), 0) + 2 * Math.max(0, columns.length - 1);
    for (const h of order) {
      if (omitted.has(h)) continue;
      if (kept.length === 0 || widthOf([...kept, h], (fit.essential ?? []).includes(h)) <= maxWidth) kept.push(h);
      else omitted.add(h);
    }
    chosen = header.filter((h) => kept.includes(h));
  }
  const widths = new Map(chosen.map((h) => [h, fit.maxWidth === undefined ? natural.get(h)! : minimum(h)]));
  if (fit.maxWidth !== undefined) {
    // Give the room left back to the cut columns, up to their full width.
    let room = fit.maxWidth - [...widths.values()].reduce((a, b) => a + b, 0) - 2 * Math.max(0, chosen.length - 1);
    for (const h of chosen) {
      const grow = Math.min(room, natural.get(h)! - widths.get(h)!);
      if (grow > 0) {
        widths.set(h, widths.get(h)! + grow);
        room -= grow;
      }
    }
  }
  const numeric = new Map(chosen.map((h) => [h, all.every((r) => typeof r[h] === 'number' || r[h] === null || r[h] === undefined)]));
  const line = (texts: string[]): string =>
    texts
      .map((text, i) => {
        const h = chosen[i]!;
        const w = widths.get(h)!;
        const cut = truncateTo(text, w);
        return numeric.get(h) ? padStartTo(cut, w) : padEndTo(cut, w);
      })
      .join('  ')
      .trimEnd();
  const rule = line(chosen.map((h) => '-'.repeat(widths.get(h)!)));
  const body = rows.map((_r, i) => line(chosen.map((h) => cellsOf.get(h)![i]!)));
  const foot = (fit.foot ?? []).map((_r, i) => line(chosen.map((h) => cellsOf.get(h)![rows.length + i]!)));
  const text = [line(chosen.map(titleOf)), rule, ...body, ...(foot.length > 0 ? [rule, ...foot] : [])].join('\n');
  return { text: `${text}\n`, omitted: header.filter((h) => omitted.has(h)) };
}

/** Rows as an aligned text table (numbers right-aligned, CJK-aware widths); "(nothing)" for no rows. */
export function formatTable(rows: readonly Row[]): string {
  return fitTable(rows).text;
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
  const width = Math.max(...Object.keys(row).map((k) => displayWidth(columnTitle(k))));
  return `${Object.entries(row)
    .map(([k, v]) => `${padEndTo(columnTitle(k), width)}  ${cellText(k, v)}`)
    .join('\n')}\n`;
}
