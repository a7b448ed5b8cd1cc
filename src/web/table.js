// @ts-check
// An accessible data table with a caption, column headers, an optional totals row and a CSV download.
import { downloadCsv, toCsv } from './csv.js';
import { h } from './dom.js';
import { fenToYuanDecimal, formatCount, formatFen } from './format.js';

/**
 * @template Row
 * @typedef {{
 *   key: string,
 *   label: string,
 *   kind: 'text' | 'money' | 'count',
 *   value: (row: Row) => string | number | null,
 *   render?: (row: Row) => Node | string,
 *   csv?: (row: Row) => string | number | null,
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
 *   rowClass?: (row: Row) => string | null,
 * }} TableSpec
 */

/**
 * @param {'text' | 'money' | 'count'} kind
 * @param {string | number | null} value
 * @returns {string}
 */
export function displayValue(kind, value) {
  if (value === null || value === undefined) return '—';
  switch (kind) {
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
 * The CSV text of a table: money as exact decimal yuan, counts as integers, text as shown.
 * @template Row
 * @param {TableSpec<Row>} spec
 * @returns {string}
 */
export function tableCsv(spec) {
  const header = spec.columns.map((c) => (c.kind === 'money' ? `${c.label} (${spec.moneySuffix})` : c.label));
  const rows = spec.rows.map((row) =>
    spec.columns.map((c) => {
      const value = c.csv ? c.csv(row) : c.value(row);
      if (value === null || value === undefined) return '';
      return c.kind === 'money' && typeof value === 'number' ? fenToYuanDecimal(value) : value;
    }),
  );
  if (spec.totals) {
    rows.push(
      spec.columns.map((c, index) => {
        if (index === 0) return spec.totalLabel ?? '';
        const total = spec.totals?.[c.key];
        if (total === undefined) return '';
        return c.kind === 'money' ? fenToYuanDecimal(total) : total;
      }),
    );
  }
  return toCsv(header, rows);
}

/**
 * @template Row
 * @param {TableSpec<Row>} spec
 * @returns {HTMLElement}
 */
export function dataTable(spec) {
  const head = h('thead', {}, h('tr', {}, spec.columns.map((c) => h('th', { scope: 'col', class: c.kind === 'text' ? null : 'num' }, c.label))));
  const body = h(
    'tbody',
    {},
    spec.rows.length === 0
      ? h('tr', {}, h('td', { colspan: spec.columns.length, class: 'empty' }, spec.emptyText))
      : spec.rows.map((row) =>
          h(
            'tr',
            { 'data-key': spec.rowKey(row), class: spec.rowClass?.(row) ?? null },
            spec.columns.map((c, index) => {
              const value = c.value(row);
              const content = c.render ? c.render(row) : displayValue(c.kind, value);
              const attrs = {
                'data-col': c.key,
                'data-fen': c.kind === 'money' && typeof value === 'number' ? value : null,
                class: c.kind === 'text' ? (c.wrap ? 'wrap' : null) : 'num',
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
              total === undefined ? '' : displayValue(c.kind, total),
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
  return h(
    'div',
    { class: 'table-block', id: spec.id },
    h('div', { class: 'table-head' }, h('h3', {}, spec.caption), download),
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': spec.caption }, h('table', {}, h('caption', { class: 'visually-hidden' }, spec.caption), head, body, foot)),
  );
}
