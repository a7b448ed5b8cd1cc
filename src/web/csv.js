// @ts-check
// CSV files of the page's tables (RFC 4180, CRLF line ends, a UTF-8 byte-order mark so that
// spreadsheets read Chinese labels correctly).

/**
 * One CSV field: quoted when it holds a comma, quote, line break or leading/trailing space;
 * a leading =, +, - or @ on text is prefixed with an apostrophe so spreadsheets never run it.
 * @param {string | number | null | undefined} value
 * @returns {string}
 */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
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
 * Hands a CSV text to the browser as a file download.
 * @param {string} fileName
 * @param {string} csvText
 */
export function downloadCsv(fileName, csvText) {
  const blob = new Blob(['\uFEFF', csvText], { type: 'text/csv;charset=utf-8' });
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
