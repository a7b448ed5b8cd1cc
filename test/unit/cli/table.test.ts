// Tables by display width (src/cli/format/width.ts, table.ts): a Chinese character takes two
// terminal columns, so columns of names stay aligned; the balances table fits an 80–120 column
// terminal with partner names and a totals row, and --wide prints every column.
import { describe, expect, it } from 'vitest';
import { balancesTable } from '../../../src/cli/commands/report.js';
import { fitTable, formatTable } from '../../../src/cli/format/table.js';
import { charWidth, displayWidth, padEndTo, terminalColumns, truncateTo } from '../../../src/cli/format/width.js';

describe('display width', () => {
  it('counts East Asian wide and fullwidth characters as two columns, combining marks as none', () => {
    expect(displayWidth('P-001 Northwind')).toBe(15);
    expect(displayWidth('华东通信有限公司')).toBe(16);
    expect(displayWidth('ＡＢＣ')).toBe(6); // fullwidth Latin
    expect(displayWidth('カタカナ한국')).toBe(12);
    expect(displayWidth('e\u0301')).toBe(1); // e + combining acute
    expect(displayWidth('Café 咖啡')).toBe(9);
    expect(displayWidth('🚀')).toBe(2);
    expect(displayWidth('a\u200bb')).toBe(2); // zero-width space
    expect(charWidth('𠀀')).toBe(2); // CJK extension B, a surrogate pair
  });

  it('pads and cuts by columns, never splitting a wide character', () => {
    expect(padEndTo('上海', 6)).toBe('上海  ');
    expect(truncateTo('上海远景贸易有限公司', 9)).toBe('上海远景…');
    expect(displayWidth(truncateTo('上海远景贸易有限公司', 10))).toBeLessThanOrEqual(10);
    expect(truncateTo('short', 10)).toBe('short');
  });

  it('takes the terminal width from the terminal, else COLUMNS, else 100', () => {
    expect(terminalColumns({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: '90' })).toBe(90);
    expect(terminalColumns({ isTTY: false }, {})).toBe(100);
  });
});

describe('tables', () => {
  const rows = [
    { partnerId: 'P-001', name: '华东通信有限公司', payable: 123_456 },
    { partnerId: 'P-002', name: 'Northwind Telecom', payable: 5 },
  ];

  it('align columns of Chinese and Latin names', () => {
    const lines = formatTable(rows).trimEnd().split('\n');
    // The money column ends at the same terminal column on every line.
    const ends = lines.map((l) => displayWidth(l));
    expect(new Set(ends).size).toBe(1);
    expect(lines[2]).toMatch(/^P-001 {6}华东通信有限公司 {3}/);
  });

  it('fit a width: shrinkable columns cut with "…", then the lowest priority left out and named', () => {
    const wide = [{ partnerId: 'P-001', name: '上海远景贸易有限公司上海远景', a: 1, b: 2, c: 3 }];
    const fitted = fitTable(wide, { maxWidth: 30, priority: ['partnerId', 'name', 'a'], shrink: { name: 10 }, essential: ['partnerId', 'name', 'a'] });
    for (const line of fitted.text.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(fitted.text).toContain('…');
    expect(fitted.omitted.length).toBeGreaterThan(0);
  });
});

describe('ledger report balances as a table', () => {
  const partner = (id: string, name: string, accrued: number, reseller = false) => ({
    partnerId: id,
    name,
    tier: 'gold',
    accrued,
    clawedBack: 0,
    paidOut: 0,
    payable: accrued,
    pendingClawback: 0,
    deposit: 9_000_000,
    debt: 0,
    depositRequired: 5_000_000,
    shortfall: 0,
    creditLimit: reseller ? 9_000_000 : null,
    trafficOutstanding: reseller ? 2_500_000 : 0,
    creditAvailable: reseller ? 6_500_000 : null,
    creditStatus: 'active',
    rebateBalance: 0,
  });
  const rows = [partner('P-001', '华东通信有限公司', 123_456_789), partner('P-002', 'Northwind Telecom', 5_000), partner('W-1', '申城语音批发有限公司', 0, true)];
  const totals = { accrued: 123_461_789, clawedBack: 0, paidOut: 0, payable: 123_461_789, pendingClawback: 0, deposit: 27_000_000, debt: 0, depositRequired: 15_000_000, shortfall: 0, creditLimit: 9_000_000, trafficOutstanding: 2_500_000, creditAvailable: 6_500_000, rebateBalance: 0 };

  for (const width of [80, 100, 120]) {
    it(`fits ${width} columns with names, the main figures and a totals row`, () => {
      const text = balancesTable(rows, totals, false, width);
      for (const line of text.trimEnd().split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      expect(text).toMatch(/^P-001 +华东通信/m);
      expect(text).toMatch(/^total +3 partners +.*1,234,617\.89/m);
      for (const title of ['partnerId', 'name', 'payable', 'accrued', 'paidOut', 'deposit', 'debt']) expect(text.split('\n')[0]).toContain(title);
      expect(text).toContain('--wide shows them');
    });
  }

  it('leaves out columns where every partner has nothing, and shows the credit columns when a reseller has some', () => {
    const text = balancesTable(rows, totals, false, 120);
    expect(text.split('\n')[0]).not.toContain('pendingClawback');
    expect(text.split('\n')[0]).toContain('creditAvailable');
    expect(text).toMatch(/65,000\.00/);
  });

  it('prints every column with --wide', () => {
    const text = balancesTable(rows, totals, true, 80);
    for (const column of Object.keys(rows[0]!)) expect(text.split('\n')[0]).toContain(column);
    expect(text).not.toContain('--wide');
    expect(text).toMatch(/^total /m);
  });
});
