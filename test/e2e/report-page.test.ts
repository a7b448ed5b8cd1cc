// The managers' time-travel report page: its pure helpers, then the page itself in Debian's
// Chromium against the real server over a temporary data directory.
import { describe, expect, it } from 'vitest';
import {
  type CompareModule,
  type CsvModule,
  type FormatModule,
  type I18nModule,
  type PipelineModule,
  webModule,
} from './support/web-modules.js';

const { endOfBusinessDay, fenToYuanDecimal, formatFen, quarterOf } = await webModule<FormatModule>('format.js');
const { csvField, toCsv } = await webModule<CsvModule>('csv.js');
const { diffSnapshots } = await webModule<CompareModule>('compare.js');
const { normalisePipeline, pipelineCounts } = await webModule<PipelineModule>('pipeline.js');
const { messages } = await webModule<I18nModule>('i18n.js');

describe('the page formats money from integer fen without floats', () => {
  it('writes CNY with thousands separators and exactly two fen digits', () => {
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(7)).toBe('¥0.07');
    expect(formatFen(123_456_789)).toBe('¥1,234,567.89');
    expect(formatFen(-100_000)).toBe('-¥1,000.00');
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91');
    expect(() => formatFen(1.5)).toThrow(/integer number of fen/);
  });

  it('writes exact decimal yuan for CSV files', () => {
    expect(fenToYuanDecimal(5)).toBe('0.05');
    expect(fenToYuanDecimal(-123_456)).toBe('-1234.56');
    expect(fenToYuanDecimal(10_000_000_000_001)).toBe('100000000000.01');
  });
});

describe('the page reads business dates in the policy time zone', () => {
  it('ends a Shanghai business day at 15:59:59.999 UTC', () => {
    expect(endOfBusinessDay('2025-03-31', 'Asia/Shanghai')).toBe('2025-03-31T15:59:59.999Z');
    expect(quarterOf('2025-03-31T16:00:00.000Z', 'Asia/Shanghai')).toBe('2025-Q2');
  });

  it('follows a zone with daylight saving time', () => {
    expect(endOfBusinessDay('2026-03-08', 'America/New_York')).toBe('2026-03-09T03:59:59.999Z');
  });
});

describe('the page writes CSV that spreadsheets read back exactly', () => {
  it('quotes separators and neutralises formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-1234.56')).toBe('-1234.56');
    expect(toCsv(['a', 'b'], [[1, null]])).toBe('a,b\r\n1,\r\n');
    expect(() => toCsv(['a'], [[1, 2]])).toThrow(/2 fields/);
  });
});

describe('"compare two dates" lists every figure that moved', () => {
  it('names tier, money and deal-count changes per partner', () => {
    const zero = { accrued: 0, clawedBack: 0, paidOut: 0, payable: 0, deposit: 0, debt: 0 };
    const changes = diffSnapshots(
      { tiers: [{ partnerId: 'P-1', tier: 'silver' }], balances: [{ partnerId: 'P-1', ...zero }], pipeline: [] },
      {
        tiers: [
          { partnerId: 'P-1', tier: 'gold' },
          { partnerId: 'P-2', name: 'New', tier: 'standard' },
        ],
        balances: [{ partnerId: 'P-1', ...zero, accrued: 400_000, payable: 400_000 }],
        pipeline: [{ partnerId: 'P-1', deals: 2, keyDeals: 1, signed: 0 }],
      },
    );
    expect(changes.map((c) => [c.partnerId, c.field, c.before, c.after, c.delta])).toEqual([
      ['P-1', 'tier', 'silver', 'gold', null],
      ['P-2', 'tier', null, 'standard', null],
      ['P-1', 'accrued', 0, 400_000, 400_000],
      ['P-1', 'payable', 0, 400_000, 400_000],
      ['P-1', 'deals', 0, 2, 2],
      ['P-1', 'keyDeals', 0, 1, 1],
    ]);
  });
});

describe('the pipeline panel reads the weekly report', () => {
  it('counts deals per stage, leaves lost deals out of the expected figures, lists key and idle deals once', () => {
    const line = (dealId: string, stage: string, key: boolean, stale: boolean) => ({
      dealId,
      customerKey: `c-${dealId}`,
      customerName: `C ${dealId}`,
      stage,
      lastProgressAt: '2025-01-01T00:00:00.000Z',
      idleDays: 40,
      key,
      stale,
    });
    const pipeline = normalisePipeline({
      partners: [
        {
          partnerId: 'direct',
          byStage: [
            { stage: 'trial', deals: 1, expectedPorts: 10, expectedRevenueFen: 500 },
            { stage: 'lost', deals: 2, expectedPorts: 7, expectedRevenueFen: 900 },
          ],
          keyDeals: [line('D-2', 'trial', true, true)],
          staleClaims: [line('D-2', 'trial', true, true), line('D-1', 'interest', false, true)],
        },
      ],
    });
    expect(pipeline.partners).toEqual([
      { partnerId: null, counts: { registered: 0, interest: 0, meeting: 0, solution: 0, trial: 1, signed: 0, lost: 2 }, expectedPorts: 10, expectedRevenueFen: 500 },
    ]);
    expect(pipeline.deals.map((d) => d.dealId)).toEqual(['D-2', 'D-1']);
    expect(pipelineCounts(pipeline)).toEqual([{ partnerId: null, deals: 3, keyDeals: 1, signed: 0 }]);
  });
});

describe('the page speaks Chinese and English', () => {
  it('has every label in both languages', () => {
    const keysOf = (value: unknown, prefix = ''): string[] =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([k, v]) => keysOf(v, `${prefix}${k}.`))
        : [prefix];
    expect(keysOf(messages.en).sort()).toEqual(keysOf(messages.zh).sort());
  });
});
