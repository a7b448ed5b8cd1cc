// The page's export module (src/web/export.js), loaded by the CLI and the server too, so that a
// CSV or .xlsx file is written by one piece of code wherever it is asked for. The page's files
// are plain JavaScript served as they are (no build step); this finds them from the package root
// (src/app/web/web-assets.ts) and types the few functions used here.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { locateWebDir } from '../app/web/web-assets.js';

export type ExportKind = 'text' | 'money' | 'count' | 'instant';
export type ExportValue = string | number | boolean | null | undefined;
export interface ExportTable {
  /** The sheet's name (a workbook) or the file's subject. */
  name: string;
  columns: Array<{ title: string; kind: ExportKind }>;
  /** Money in integer fen, instants as ISO-8601; a cell may carry its own kind. */
  rows: Array<Array<ExportValue | { kind: ExportKind; value: ExportValue }>>;
  /** The policy's zone: instants are written as local time with its offset. */
  timeZone: string;
}

export interface ExportModule {
  CSV_BOM: string;
  guardFormula(text: string): string;
  cellText(kind: ExportKind, value: ExportValue, timeZone: string): string;
  tableCsv(table: ExportTable): string;
  xlsxValue(kind: ExportKind, value: ExportValue, timeZone: string): string | number | null;
  workbookBytes(excel: unknown, tables: readonly ExportTable[]): Promise<Uint8Array>;
}

export interface FormatModule {
  fenToYuanDecimal(amountFen: number): string;
  formatFen(amountFen: number): string;
  formatInstantWithOffset(iso: string | null | undefined, timeZone: string, withMs?: boolean): string;
}

const webDir = locateWebDir();
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(webDir, file)).href)) as T;

export const webExport = await load<ExportModule>('export.js');
export const webFormat = await load<FormatModule>('format.js');
