// @ts-check
// The quarterly commission chart as inline SVG: grouped bars per quarter.
// Money stays integer fen; only pixel geometry is computed with ordinary numbers.
import { svg } from './dom.js';
import { groupThousands } from './format.js';

/** @typedef {{ quarter: string, accrued: number, clawedBack: number, paidOut: number }} QuarterRow */
/** @typedef {{ key: 'accrued' | 'clawedBack' | 'paidOut', label: string, className: string }} Series */

/**
 * A "nice" tick step in fen (1, 2 or 5 × 10^k whole yuan) giving at most `maxTicks` ticks up to maxFen.
 * @param {number} maxFen
 * @param {number} maxTicks
 * @returns {number}
 */
export function tickStepFen(maxFen, maxTicks) {
  if (!Number.isSafeInteger(maxFen) || maxFen < 0) throw new RangeError(`not a non-negative amount of fen: ${maxFen}`);
  for (let magnitudeFen = 100; magnitudeFen <= Number.MAX_SAFE_INTEGER / 10; magnitudeFen *= 10) {
    for (const factor of [1, 2, 5]) {
      const stepFen = factor * magnitudeFen;
      if (stepFen * maxTicks >= maxFen) return stepFen;
    }
  }
  throw new RangeError(`no tick step for ${maxFen} fen`);
}

/**
 * An axis label in whole yuan with a compact suffix for large values: 12,000,000 fen → "120k".
 * @param {number} amountFen a multiple of 100
 * @returns {string}
 */
export function axisLabel(amountFen) {
  const yuan = String(amountFen).slice(0, -2) || '0';
  if (yuan.length > 7 && yuan.endsWith('000000')) return `${groupThousands(yuan.slice(0, -6))}M`;
  if (yuan.length > 4 && yuan.endsWith('000')) return `${groupThousands(yuan.slice(0, -3))}k`;
  return groupThousands(yuan);
}

/**
 * @param {ReadonlyArray<QuarterRow>} rows
 * @param {ReadonlyArray<Series>} series
 * @param {{ title: string, formatMoney: (fen: number) => string, emptyText: string, unit?: string }} text
 * @returns {SVGElement}
 */
export function quarterlyChart(rows, series, text) {
  const barWidthPx = 13;
  const gapPx = 3;
  const groupWidthPx = series.length * barWidthPx + (series.length - 1) * gapPx + 22;
  const leftPx = 56;
  const topPx = 30;
  const plotHeightPx = 180;
  const bottomPx = 52;
  const widthPx = Math.max(360, leftPx + rows.length * groupWidthPx + 16);
  const heightPx = topPx + plotHeightPx + bottomPx;
  const maxFen = Math.max(0, ...rows.flatMap((row) => series.map((s) => row[s.key])));
  const stepFen = tickStepFen(maxFen, 4);
  let topFen = stepFen;
  while (topFen < maxFen) topFen += stepFen;
  /** @param {number} fen */
  const yPx = (fen) => topPx + plotHeightPx - Math.round((fen * plotHeightPx) / topFen);

  const ticks = [];
  for (let fen = 0; maxFen > 0 && fen <= topFen; fen += stepFen) {
    ticks.push(
      svg('line', { class: 'grid', x1: leftPx, x2: widthPx - 8, y1: yPx(fen), y2: yPx(fen) }),
      svg('text', { class: 'axis', x: leftPx - 8, y: yPx(fen) + 4, 'text-anchor': 'end' }, axisLabel(fen)),
    );
  }
  const groups = rows.map((row, index) => {
    const groupLeftPx = leftPx + 16 + index * groupWidthPx;
    const bars = series.map((s, seriesIndex) => {
      const valueFen = Math.max(0, row[s.key]);
      const barTopPx = yPx(valueFen);
      return svg(
        'rect',
        {
          class: `bar ${s.className}`,
          x: groupLeftPx + seriesIndex * (barWidthPx + gapPx),
          y: barTopPx,
          width: barWidthPx,
          height: Math.max(valueFen > 0 ? 1 : 0, topPx + plotHeightPx - barTopPx),
          rx: 2,
        },
        svg('title', {}, `${row.quarter} · ${s.label}: ${text.formatMoney(row[s.key])}`),
      );
    });
    const labelXPx = groupLeftPx + (series.length * (barWidthPx + gapPx) - gapPx) / 2;
    return svg(
      'g',
      {},
      bars,
      svg('text', { class: 'axis', x: labelXPx, y: topPx + plotHeightPx + 18, 'text-anchor': 'middle' }, row.quarter),
    );
  });
  const legend = series.map((s, index) =>
    svg(
      'g',
      { transform: `translate(${leftPx + index * 110}, ${topPx + plotHeightPx + 36})` },
      svg('rect', { class: `bar ${s.className}`, x: 0, y: 0, width: 12, height: 12, rx: 2 }),
      svg('text', { class: 'legend', x: 18, y: 11 }, s.label),
    ),
  );
  return svg(
    'svg',
    {
      class: 'chart',
      role: 'img',
      'aria-label': text.title,
      viewBox: `0 0 ${widthPx} ${heightPx}`,
      width: widthPx,
      height: heightPx,
    },
    svg('title', {}, text.title),
    // The axis's unit: the tick labels are whole yuan (k = thousand, M = million).
    text.unit ? svg('text', { class: 'axis axis-unit', x: 4, y: 12, 'data-unit': text.unit }, text.unit) : null,
    ticks,
    svg('line', { class: 'baseline', x1: leftPx, x2: widthPx - 8, y1: yPx(0), y2: yPx(0) }),
    maxFen === 0 ? svg('text', { class: 'axis empty-chart', x: (leftPx + widthPx) / 2, y: topPx + plotHeightPx / 2, 'text-anchor': 'middle' }, text.emptyText) : null,
    groups,
    legend,
  );
}
