// Double entry underneath the money events: each event moves amounts between a partner's
// accounts and the vendor's counter-accounts, and the postings of one event sum to zero.
// Balances are sums of postings, never stored counters.
//
// A partner posting's amount is the change of the figure a balance reports; its vendor
// counter-posting is the same amount negated:
//   accrued    commission earned on cash received        ↔ vendor commissionExpense
//   clawedBack commission reversed by refunds             ↔ vendor commissionRecovered
//   paidOut    commission settled by payouts (net of the quarter's lines: cash paid plus debt
//              recovered; negative when clawbacks exceeded earnings and the deposit or a
//              debt covered the rest)                      ↔ vendor commissionSettled
//   deposit    the security deposit held                  ↔ vendor depositsHeld
//   debt       what the partner owes the vendor           ↔ vendor receivables
//   trafficOutstanding  wholesale-voice traffic billed and not yet paid by the reseller
//              (a bill adds, a settlement subtracts)      ↔ vendor trafficReceivable
//   rebate     rebate owed to the partner and not yet paid. Earned from the vendor: ↔ vendor
//              rebateExpense; paid by the vendor: ↔ vendor rebateSettled. A locked agent's
//              rebate is owed by its distributor, so the counter-posting is on the
//              distributor's own rebate account (negative: what it owes its agents), and its
//              payment moves both back. No vendor account is touched.
// so payable (commission earned and not yet settled) = accrued − clawedBack − paidOut.
import { assertNever } from './errors.js';
import type { LedgerEvent } from './events.js';
import { assertPostingsBalance } from './money.js';
import { type AccountTotals, type PartnerAccount, zeroAccountTotals } from './accounts.js';

export { type AccountTotals, type PartnerAccount, partnerAccounts, zeroAccountTotals } from './accounts.js';
export type VendorAccount =
  | 'commissionExpense'
  | 'commissionRecovered'
  | 'commissionSettled'
  | 'depositsHeld'
  | 'receivables'
  | 'trafficReceivable'
  | 'rebateExpense'
  | 'rebateSettled';

export type Posting =
  | { side: 'partner'; partnerId: string; account: PartnerAccount; amountFen: number }
  | { side: 'vendor'; account: VendorAccount; amountFen: number };

const counterOf: Record<PartnerAccount, VendorAccount> = {
  accrued: 'commissionExpense',
  clawedBack: 'commissionRecovered',
  paidOut: 'commissionSettled',
  deposit: 'depositsHeld',
  debt: 'receivables',
  trafficOutstanding: 'trafficReceivable',
  rebate: 'rebateExpense',
};

/** A movement on a partner account with its vendor counter-posting; nothing for zero. */
function move(partnerId: string, account: PartnerAccount, amountFen: number): Posting[] {
  if (amountFen === 0) return [];
  return [
    { side: 'partner', partnerId, account, amountFen },
    { side: 'vendor', account: counterOf[account], amountFen: -amountFen },
  ];
}

/** The postings of one event (empty for events that move no money). They sum to zero: asserted. */
export function postingsOf(event: LedgerEvent): Posting[] {
  const postings = rawPostingsOf(event);
  assertPostingsBalance(postings, `postings of ${event.type}`);
  return postings;
}

function rawPostingsOf(event: LedgerEvent): Posting[] {
  switch (event.type) {
    case 'DepositPosted':
      return move(event.data.partnerId, 'deposit', event.data.amountFen);
    case 'DepositDeducted': {
      const d = event.data;
      return [...move(d.partnerId, 'deposit', -d.deductedFen), ...move(d.partnerId, 'debt', d.debtFen)];
    }
    case 'CommissionAccrued':
      return move(event.data.partnerId, 'accrued', event.data.commissionFen);
    case 'CommissionClawedBack':
      return move(event.data.partnerId, 'clawedBack', event.data.commissionFen);
    case 'CommissionAdjusted':
      // A back-dated policy version re-decided the line: the difference moves the line's own account.
      return move(event.data.partnerId, event.data.kind === 'accrual' ? 'accrued' : 'clawedBack', event.data.adjustmentFen);
    case 'CommissionPaidOut': {
      const d = event.data;
      return [...move(d.partnerId, 'paidOut', d.netFen), ...move(d.partnerId, 'debt', -d.debtRecoveredFen)];
    }
    case 'TrafficBilled':
      return move(event.data.partnerId, 'trafficOutstanding', event.data.amountFen);
    case 'TrafficSettled':
      return move(event.data.partnerId, 'trafficOutstanding', -event.data.amountFen);
    case 'RebateEarned':
      return rebateMove(event.data.partnerId, event.data.payerPartnerId, event.data.amountFen, 'rebateExpense');
    case 'RebatePaid':
      return rebateMove(event.data.partnerId, event.data.payerPartnerId, -event.data.amountFen, 'rebateSettled');
    case 'CreditSuspended':
    case 'CreditResumed':
    case 'CustomerBillIssued':
    case 'CustomerBillCollected':
    case 'ArrearsExempted':
    case 'CommitmentSet':
    case 'PurchaseRecorded':
    case 'LockedToDistributor':
    case 'PartnerSigned':
    case 'TierChanged':
    case 'TierCertified':
    case 'DealRegistered':
    case 'DealStageAdvanced':
    case 'DealLost':
    case 'ForecastRevised':
    case 'DealTransferred':
    case 'OwnershipRuled':
    case 'ContractSubmitted':
    case 'ContractConfirmed':
    case 'ContractRejected':
    case 'TransferProposed':
    case 'TransferRejected':
    case 'PaymentReceived':
    case 'RefundIssued':
    case 'PolicyAdopted':
      return [];
    default:
      return assertNever(event, 'event type');
  }
}

/**
 * A change of the rebate owed to `partnerId`: against the vendor's `vendorAccount` when the
 * vendor owes it (payer null), else against the paying distributor's own rebate account.
 */
function rebateMove(partnerId: string, payerPartnerId: string | null, amountFen: number, vendorAccount: VendorAccount): Posting[] {
  if (amountFen === 0) return [];
  if (payerPartnerId === partnerId) throw new Error(`partner ${partnerId} cannot owe itself a rebate`);
  const counter: Posting =
    payerPartnerId === null
      ? { side: 'vendor', account: vendorAccount, amountFen: -amountFen }
      : { side: 'partner', partnerId: payerPartnerId, account: 'rebate', amountFen: -amountFen };
  return [{ side: 'partner', partnerId, account: 'rebate', amountFen }, counter];
}

/** One event's effect on each partner's accounts (the shape the balances projection sums). */
export function partnerDeltasOf(event: LedgerEvent): Array<{ partnerId: string; deltas: AccountTotals }> {
  const byPartner = new Map<string, AccountTotals>();
  for (const p of postingsOf(event)) {
    if (p.side !== 'partner') continue;
    const totals = byPartner.get(p.partnerId) ?? zeroAccountTotals();
    totals[p.account] += p.amountFen;
    byPartner.set(p.partnerId, totals);
  }
  return [...byPartner].map(([partnerId, deltas]) => ({ partnerId, deltas }));
}

/** Commission earned and not yet settled; never negative (a shortfall is settled at payout into deposit and debt). */
export function payableOf(totals: AccountTotals): number {
  return Math.max(0, totals.accrued - totals.clawedBack - totals.paidOut);
}
