// @ts-check
// The one export module of the page and the CLI (the CLI loads this very file through
// src/ledger/web-modules.ts): a table of typed cells becomes a CSV file or an .xlsx workbook.
//
// CSV: a UTF-8 byte-order mark (Excel and WPS then read Chinese correctly), CRLF line ends,
// RFC 4180 quoting. Money is numeric yuan with exactly two decimals (1496989.08), counts plain
// integers, instants local time with the policy zone's offset ("2026-07-01 00:00:00 +08:00").
// The formula guard: a TEXT cell starting with = + - @ tab or CR gets a leading single quote, so
// neither Excel nor WPS runs it as a formula; numbers are never touched (a negative amount stays
// -1234.56 and stays a number).
// XLSX: one sheet per table through ExcelJS (the caller hands the library in: the Node package on
// the CLI, its browser build on the page); money and counts are numbers (money with the format
// #,##0.00), text is a string cell, which a spreadsheet never evaluates.
import { fenToYuanDecimal, formatInstantWithOffset } from './format.js';

/** @typedef {'text' | 'money' | 'count' | 'instant'} ExportKind */
/** @typedef {string | number | boolean | null | undefined} ExportValue */
/** @typedef {{ title: string, kind: ExportKind }} ExportColumn */
/**
 * A table to export. A cell is a value (of its column's kind) or {kind, value} for a column whose
 * kind changes from row to row ("compare two dates": a tier, then an amount).
 * @typedef {{ name: string, columns: ExportColumn[], rows: Array<Array<ExportValue | { kind: ExportKind, value: ExportValue }>>, timeZone: string }} ExportTable
 */

export const CSV_BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A text cell a spreadsheet would run as a formula (= + - @ tab CR first) gets a leading quote.
 * @param {string} text
 * @returns {string}
 */
export function guardFormula(text) {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * RFC 4180: quoted when it holds a comma, quote or line break, or starts or ends with a space.
 * @param {string} text
 * @returns {string}
 */
function quoted(text) {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One CSV field of an untyped value: a string is text (guarded) unless it is a plain number, a number is a number.
 * @param {string | number | null | undefined} value
 * @returns {string}
 */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return quoted(typeof value === 'string' && !PLAIN_NUMBER.test(text) ? guardFormula(text) : text);
}

/**
 * Untyped rows as CSV lines (CRLF, no byte-order mark).
 * @param {ReadonlyArray<string>} header
 * @param {ReadonlyArray<ReadonlyArray<string | number | null | undefined>>} rows
 * @returns {string}
 */
export function toCsv(header, rows) {
  for (const row of rows) {
    if (row.length !== header.length) throw new RangeError(`a CSV row has ${row.length} fields, the header ${header.length}`);
  }
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * @param {ExportKind} kind
 * @param {ExportValue | { kind: ExportKind, value: ExportValue }} cell
 * @returns {{ kind: ExportKind, value: ExportValue }}
 */
function typed(kind, cell) {
  return cell !== null && typeof cell === 'object' ? cell : { kind, value: cell };
}

/**
 * The text of one typed cell in a CSV file (before quoting).
 * @param {ExportKind} kind
 * @param {ExportValue} value
 * @param {string} timeZone
 * @returns {string}
 */
export function cellText(kind, value, timeZone) {
  if (value === null || value === undefined || value === '') return '';
  switch (kind) {
    case 'money':
      if (typeof value !== 'number') throw new TypeError(`a money cell holds integer fen, got ${String(value)}`);
      return fenToYuanDecimal(value);
    case 'count':
      if (typeof value !== 'number') throw new TypeError(`a count cell holds a number, got ${String(value)}`);
      return String(value);
    case 'instant':
      return guardFormula(formatInstantWithOffset(String(value), timeZone));
    case 'text':
      return guardFormula(String(value));
    default: {
      /** @type {never} */
      const unknown = kind;
      throw new Error(`unknown cell kind ${String(unknown)}`);
    }
  }
}

/**
 * A table as a CSV file's text: byte-order mark, header, rows, CRLF.
 * @param {ExportTable} table
 * @returns {string}
 */
export function tableCsv(table) {
  const lines = [table.columns.map((c) => quoted(guardFormula(c.title))).join(',')];
  for (const row of table.rows) {
    if (row.length !== table.columns.length) throw new RangeError(`a row of ${table.name} has ${row.length} cells, the header ${table.columns.length}`);
    lines.push(
      row
        .map((cell, i) => {
          const { kind, value } = typed(/** @type {ExportColumn} */ (table.columns[i]).kind, cell);
          return quoted(cellText(kind, value, table.timeZone));
        })
        .join(','),
    );
  }
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/**
 * The value of one typed cell in a workbook: numbers as numbers (money in yuan), the rest as text.
 * @param {ExportKind} kind
 * @param {ExportValue} value
 * @param {string} timeZone
 * @returns {string | number | null}
 */
export function xlsxValue(kind, value, timeZone) {
  if (value === null || value === undefined || value === '') return null;
  if (kind === 'money') return Number(fenToYuanDecimal(/** @type {number} */ (value)));
  if (kind === 'count') return Number(value);
  if (kind === 'instant') return formatInstantWithOffset(String(value), timeZone);
  return String(value);
}

/**
 * A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ].
 * @param {string} name
 * @param {Set<string>} taken
 * @returns {string}
 */
function sheetName(name, taken) {
  const base = name.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'Sheet';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base.slice(0, 27)} (${n})`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** @param {string} text */
const displayWidth = (text) => [...text].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);

/**
 * Tables as an .xlsx workbook, one sheet each, with ExcelJS (handed in: `import ExcelJS from
 * 'exceljs'` on Node, the browser build's window.ExcelJS on the page).
 * @param {any} ExcelJS
 * @param {ReadonlyArray<ExportTable>} tables
 * @returns {Promise<Uint8Array>}
 */
export async function workbookBytes(ExcelJS, tables) {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'channel ledger';
  workbook.created = new Date(0);
  workbook.modified = new Date(0);
  const taken = new Set();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(sheetName(table.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    const widths = table.columns.map((c) => displayWidth(c.title));
    sheet.addRow(table.columns.map((c) => c.title)).font = { bold: true };
    for (const row of table.rows) {
      const values = row.map((cell, i) => {
        const { kind, value } = typed(/** @type {ExportColumn} */ (table.columns[i]).kind, cell);
        const out = xlsxValue(kind, value, table.timeZone);
        widths[i] = Math.max(widths[i] ?? 0, displayWidth(kind === 'money' && typeof value === 'number' ? `${fenToYuanDecimal(value)},,,` : String(out ?? '')));
        return { kind, out };
      });
      const added = sheet.addRow(values.map((v) => v.out));
      values.forEach((v, i) => {
        if (v.kind === 'money') added.getCell(i + 1).numFmt = '#,##0.00';
      });
    }
    table.columns.forEach((_c, i) => {
      sheet.getColumn(i + 1).width = Math.min(60, Math.max(8, (widths[i] ?? 8) + 2));
    });
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
}
