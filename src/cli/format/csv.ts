// CSV for the `ledger` commands (RFC 4180): a header line, one line per row, money in fen.
// A cell that a spreadsheet would run as a formula (=, +, -, @ first) is quoted. Control and bidi
// characters are written as visible escapes (terminal.ts): CSV is read on terminals too.
import type { Cell, Row } from './table.js';
import { safeLines } from './terminal.js';

export function csvCell(value: Cell | undefined): string {
  const s = value === null || value === undefined ? '' : safeLines(String(value));
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV; the header comes from the first row's columns. No rows: empty output. */
export function toCsv(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const header = Object.keys(rows[0]!);
  return `${[header.map(csvCell).join(','), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(','))].join('\n')}\n`;
}
