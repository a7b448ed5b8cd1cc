// `--dry-run` in the CLI (src/cli/dry-run.ts): a dry run's answer prints as the events it would
// write and the accounts that move, per partner and in total; JSON is the whole answer.
import { describe, expect, it } from 'vitest';
import { dryRunBalanceRows, dryRunEventRows, renderDryRun } from '../../../src/cli/dry-run.js';
import { zeroAccountTotals } from '../../../src/domain/postings.js';
import { balanceChangesOf, type DryRunAnswer, replayDryRunAnswer } from '../../../src/ledger/dry-run.js';

const totals = (figures: Partial<ReturnType<typeof zeroAccountTotals>>) => ({ ...zeroAccountTotals(), ...figures });

const answer: DryRunAnswer = {
  dryRun: true,
  events: [
    { stream: 'policy', revision: 0, eventId: 'e-1', type: 'PolicyAdopted', data: {}, occurredAt: '2025-07-01T00:00:00.000Z', actor: { role: 'manager', id: 'm' }, commandId: 'c', correlationId: null, causationId: null, policyVersion: null },
    { stream: 'policy', revision: 1, eventId: 'e-2', type: 'CommissionAdjusted', data: {}, occurredAt: '2025-07-01T00:00:00.000Z', actor: { role: 'manager', id: 'm' }, commandId: 'c', correlationId: null, causationId: null, policyVersion: '2' },
  ],
  balances: balanceChangesOf(
    new Map([
      ['P-002', totals({ accrued: 50_000 })],
      ['P-001', totals({ accrued: 450_534, paidOut: 450_534 })],
    ]),
    new Map([
      ['P-002', totals({ accrued: 1_000 })],
      ['P-001', totals({ accrued: -112_634 })],
    ]),
  ),
};

describe('ledger … --dry-run', () => {
  it('lists the accounts that move per partner (in partner order) and their total; nothing else', () => {
    expect(dryRunBalanceRows(answer)).toEqual([
      { partnerId: 'P-001', account: 'accrued', beforeFen: 450_534, afterFen: 337_900, deltaFen: -112_634 },
      { partnerId: 'P-002', account: 'accrued', beforeFen: 50_000, afterFen: 51_000, deltaFen: 1_000 },
      { partnerId: 'total', account: 'accrued', beforeFen: 500_534, afterFen: 388_900, deltaFen: -111_634 },
    ]);
    expect(dryRunEventRows(answer).map((r) => r.type)).toEqual(['PolicyAdopted', 'CommissionAdjusted']);
  });

  it('prints a table in CNY saying nothing was written, CSV of the balance rows, JSON of the whole answer', () => {
    const table = renderDryRun('table', answer);
    expect(table).toContain('Dry run: nothing was written. The command would write 2 event(s).');
    expect(table).toContain('-1,126.34');
    expect(table).toContain('CommissionAdjusted');
    const csv = renderDryRun('csv', answer).replace(/^\uFEFF/, '').split('\r\n');
    expect(csv[0]).toMatch(/^partnerId,account,/);
    expect(csv).toHaveLength(5); // header, three rows, the final line break
    expect(JSON.parse(renderDryRun('json', answer))).toEqual(answer);
    expect(renderDryRun('table', replayDryRunAnswer())).toMatch(/already run.*\n\nNo balance would change/s);
  });
});
