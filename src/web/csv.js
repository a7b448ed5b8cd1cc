// @ts-check
// CSV files of the page's tables: the rules live in the one export module (export.js), shared
// with the CLI; this file hands a file to the browser.
import { CSV_BOM } from './export.js';

export { csvField, tableCsv, toCsv } from './export.js';

/**
 * Hands a text or bytes to the browser as a file download.
 * @param {string} fileName
 * @param {BlobPart} content
 * @param {string} type
 */
export function downloadFile(fileName, content, type) {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Hands a CSV text to the browser as a file download (with the byte-order mark when it has none).
 * @param {string} fileName
 * @param {string} csvText
 */
export function downloadCsv(fileName, csvText) {
  downloadFile(fileName, csvText.startsWith(CSV_BOM) ? csvText : `${CSV_BOM}${csvText}`, 'text/csv;charset=utf-8');
}
