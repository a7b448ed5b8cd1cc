// @ts-check
// An accessible data table with a caption, column headers, an optional totals row, paging, and
// CSV and .xlsx downloads through the one export module (export.js, shared with the CLI).
import { downloadCsv, downloadFile } from './csv.js';
import { h } from './dom.js';
import { tableCsv as exportCsv, workbookBytes } from './export.js';
import { formatCount, formatFen, formatInstantWithOffset } from './format.js';

/** @typedef {'text' | 'money' | 'count' | 'instant'} Kind */

/**
 * @template Row
 * @typedef {{
 *   key: string,
 *   label: string,
 *   kind: Kind,
 *   value: (row: Row) => string | number | null,
 *   render?: (row: Row) => Node | string,
 *   csv?: (row: Row) => string | number | null,
 *   cellKind?: (row: Row) => Kind,
 *   exported?: boolean,
 *   wrap?: boolean,
 * }} Column
 */

/**
 * @template Row
 * @typedef {{
 *   id: string,
 *   caption: string,
 *   columns: Column<Row>[],
 *   rows: Row[],
 *   rowKey: (row: Row) => string,
 *   totals?: Record<string, number> | null,
 *   totalLabel?: string,
 *   emptyText: string,
 *   csvName: string,
 *   csvLabel: string,
 *   moneySuffix: string,
 *   timeZone: string,
 *   xlsxLabel?: string,
 *   scrollLabel?: string,
 *   pageSize?: number,
 *   page?: number,
 *   onPage?: (page: number) => void,
 *   pageText?: (from: number, to: number, total: number) => string,
 *   previousLabel?: string,
 *   nextLabel?: string,
 *   rowClass?: (row: Row) => string | null,
 * }} TableSpec
 */

/**
 * @param {Kind} kind
 * @param {string | number | null} value
 * @param {string} [timeZone]
 * @returns {string}
 */
export function displayValue(kind, value, timeZone = 'Asia/Shanghai') {
  if (value === null || value === undefined) return '—';
  switch (kind) {
    case 'instant':
      return formatInstantWithOffset(String(value), timeZone);
    case 'money':
      return formatFen(/** @type {number} */ (value));
    case 'count':
      return formatCount(/** @type {number} */ (value));
    case 'text':
      return String(value);
    default: {
      /** @type {never} */
      const unknown = kind;
      throw new Error(`unknown column kind ${String(unknown)}`);
    }
  }
}

/**
 * A table as the export module's typed table: every row (not only the page shown), the columns
 * marked exported (not the links), money in fen, instants as ISO-8601, the totals row last.
 * @template Row
 * @param {TableSpec<Row>} spec
 * @returns {import('./export.js').ExportTable}
 */
export function exportTable(spec) {
  const columns = spec.columns.filter((c) => c.exported !== false);
  /** @type {import('./export.js').ExportTable['rows']} */
  const rows = spec.rows.map((row) =>
    columns.map((c) => {
      const value = c.csv ? c.csv(row) : c.value(row);
      return c.cellKind ? { kind: c.cellKind(row), value } : value;
    }),
  );
  if (spec.totals) {
    rows.push(columns.map((c, index) => (index === 0 ? (spec.totalLabel ?? '') : (spec.totals?.[c.key] ?? null))));
  }
  return {
    name: spec.caption,
    columns: columns.map((c) => ({ title: c.kind === 'money' ? `${c.label} (${spec.moneySuffix})` : c.label, kind: c.kind })),
    rows,
    timeZone: spec.timeZone,
  };
}

/**
 * The CSV file of a table (byte-order mark, CRLF, numeric yuan, the formula guard on text).
 * @template Row
 * @param {TableSpec<Row>} spec
 * @returns {string}
 */
export function tableCsv(spec) {
  return exportCsv(exportTable(spec));
}

/** @type {Promise<any> | null} */
let excelLoading = null;

/** ExcelJS's browser build, loaded once, on the first .xlsx download. @returns {Promise<any>} */
function loadExcel() {
  const loaded = /** @type {any} */ (window).ExcelJS;
  if (loaded) return Promise.resolve(loaded);
  excelLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/web/vendor-exceljs.js';
    script.onload = () => resolve(/** @type {any} */ (window).ExcelJS);
    script.onerror = () => {
      excelLoading = null;
      reject(new Error('the spreadsheet library could not be loaded'));
    };
    document.head.append(script);
  });
  return excelLoading;
}

/**
 * Downloads a table as an .xlsx workbook.
 * @template Row
 * @param {TableSpec<Row>} spec
 */
export async function downloadXlsx(spec) {
  const bytes = await workbookBytes(await loadExcel(), [exportTable(spec)]);
  downloadFile(spec.csvName.replace(/\.csv$/, '.xlsx'), /** @type {BlobPart} */ (/** @type {unknown} */ (bytes)), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
}

/**
 * @template Row
 * @param {TableSpec<Row>} spec
 * @returns {HTMLElement}
 */
export function dataTable(spec) {
  const pageSize = spec.pageSize ?? 0;
  const pages = pageSize > 0 ? Math.max(1, Math.ceil(spec.rows.length / pageSize)) : 1;
  const page = Math.min(Math.max(0, spec.page ?? 0), pages - 1);
  const shown = pageSize > 0 ? spec.rows.slice(page * pageSize, (page + 1) * pageSize) : spec.rows;
  const head = h('thead', {}, h('tr', {}, spec.columns.map((c) => h('th', { scope: 'col', class: c.kind === 'text' || c.kind === 'instant' ? null : 'num' }, c.label))));
  const body = h(
    'tbody',
    {},
    shown.length === 0
      ? h('tr', {}, h('td', { colspan: spec.columns.length, class: 'empty' }, spec.emptyText))
      : shown.map((row) =>
          h(
            'tr',
            { 'data-key': spec.rowKey(row), class: spec.rowClass?.(row) ?? null },
            spec.columns.map((c, index) => {
              const value = c.value(row);
              const kind = c.cellKind ? c.cellKind(row) : c.kind;
              const content = c.render ? c.render(row) : displayValue(kind, value, spec.timeZone);
              const attrs = {
                'data-col': c.key,
                'data-fen': kind === 'money' && typeof value === 'number' ? value : null,
                class: kind === 'text' || kind === 'instant' ? (c.wrap ? 'wrap' : null) : 'num',
              };
              return index === 0 ? h('th', { scope: 'row', ...attrs }, content) : h('td', attrs, content);
            }),
          ),
        ),
  );
  const foot = spec.totals
    ? h(
        'tfoot',
        {},
        h(
          'tr',
          { 'data-key': 'total' },
          spec.columns.map((c, index) => {
            if (index === 0) return h('th', { scope: 'row' }, spec.totalLabel ?? '');
            const total = spec.totals?.[c.key];
            return h(
              'td',
              { 'data-col': c.key, 'data-fen': c.kind === 'money' && total !== undefined ? total : null, class: c.kind === 'text' ? null : 'num' },
              total === undefined ? '' : displayValue(c.kind, total, spec.timeZone),
            );
          }),
        ),
      )
    : null;
  const download = h(
    'button',
    {
      type: 'button',
      class: 'ghost small csv',
      'data-csv': spec.id,
      'aria-label': `${spec.csvLabel}: ${spec.caption}`,
      onclick: () => downloadCsv(spec.csvName, tableCsv(spec)),
    },
    `⤓ ${spec.csvLabel}`,
  );
  const xlsx = h(
    'button',
    {
      type: 'button',
      class: 'ghost small xlsx',
      'data-xlsx': spec.id,
      'aria-label': `${spec.xlsxLabel ?? 'XLSX'}: ${spec.caption}`,
      onclick: () => void downloadXlsx(spec),
    },
    `⤓ ${spec.xlsxLabel ?? 'XLSX'}`,
  );
  const scroller = h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': spec.caption }, h('table', {}, h('caption', { class: 'visually-hidden' }, spec.caption), head, body, foot));
  const frame = h('div', { class: 'scroll-frame' }, scroller, h('p', { class: 'scroll-cue', 'aria-hidden': 'true' }, `⇠ ${spec.scrollLabel ?? ''} ⇢`));
  watchOverflow(frame, scroller);
  const pager =
    pageSize > 0 && spec.rows.length > pageSize
      ? h(
          'nav',
          { class: 'pager', 'aria-label': spec.caption, 'data-page': page + 1, 'data-pages': pages },
          h('button', { type: 'button', class: 'ghost small', 'data-pager': 'previous', disabled: page === 0, onclick: () => spec.onPage?.(page - 1) }, spec.previousLabel ?? '‹'),
          h('span', { class: 'pager-text' }, spec.pageText ? spec.pageText(page * pageSize + 1, page * pageSize + shown.length, spec.rows.length) : `${page * pageSize + 1}–${page * pageSize + shown.length} / ${spec.rows.length}`),
          h('button', { type: 'button', class: 'ghost small', 'data-pager': 'next', disabled: page >= pages - 1, onclick: () => spec.onPage?.(page + 1) }, spec.nextLabel ?? '›'),
        )
      : null;
  return h(
    'div',
    { class: 'table-block', id: spec.id },
    h('div', { class: 'table-head' }, h('h3', {}, spec.caption), h('div', { class: 'downloads' }, download, xlsx)),
    frame,
    pager,
  );
}

/**
 * Marks a table frame that is narrower than its table (data-overflow) and which sides hide more
 * columns (data-more-left / data-more-right): the stylesheet shows shadows and a cue there.
 * @param {HTMLElement} frame
 * @param {HTMLElement} scroller
 */
function watchOverflow(frame, scroller) {
  const update = () => {
    const overflow = scroller.scrollWidth > scroller.clientWidth + 1;
    frame.setAttribute('data-overflow', String(overflow));
    frame.toggleAttribute('data-more-left', overflow && scroller.scrollLeft > 1);
    frame.toggleAttribute('data-more-right', overflow && scroller.scrollLeft + scroller.clientWidth < scroller.scrollWidth - 1);
  };
  scroller.addEventListener('scroll', update, { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(update).observe(scroller);
  requestAnimationFrame(update);
}
