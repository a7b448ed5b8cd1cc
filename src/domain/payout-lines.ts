// The rule: which commission lines a quarter's payout settles. DOMAIN.md: "A payout for
// quarter Q pays every commission line whose cash was received on or before Q's end and is not
// yet paid, net of clawbacks recorded so far".
//
// A line no payout has settled yet is due in the payout of quarter Q made at instant T (the
// payout's occurredAt) when it is
//  - an accrual whose cash was received on or before Q's end (and by T);
//  - a clawback recorded so far (it is among the lines read when the payout runs) whose refund
//    happened by T, whatever quarter that refund falls in: the commission due in this payout
//    absorbs it before any deposit is touched. (A gold partner's Q1 cash earns 450,534 fen; a
//    refund on 2 April claws back 200,000; Q1 paid after that refund was recorded pays 250,534
//    and the deposit stays whole. Before this rule the clawback waited for Q2's payout and was
//    taken from the deposit there when Q2 earned nothing.)
// Two edges, decided here:
//  - A clawback whose own accrual (the same payment's) is unpaid and not due in this payout,
//    because that cash came after Q's end, waits for it: it nets against the commission it
//    reverses, in the payout that pays that commission, and never reduces other commission,
//    or the deposit, before then. A clawback whose accrual an earlier payout paid is due now.
//  - T bounds both kinds: a payout back-filled to an instant settles no line whose cash moved
//    after that instant (as of T that refund or payment had not happened), so a statement or a
//    balance read at any valid time never shows a payout settling a line that did not exist yet.
// Prior-period adjustments (policy-adoption.ts: a back-dated policy version re-decided a line)
// are due like the line they adjust (an accrual's by its cash date, a clawback's by its refund,
// held with its payment), once the adoption that wrote them happened by T.
// Each line is settled at most once; the due lines come in log order.

/** A commission line the read model knows for the partner and no payout settled yet. */
export interface UnsettledLine {
  eventId: string;
  type: 'CommissionAccrued' | 'CommissionClawedBack' | 'CommissionAdjusted';
  /**
   * As in the event: never negative; a clawback counts against the partner. An adjustment's is
   * signed as the partner sees it (more commission positive, a larger clawback negative).
   */
  commissionFen: number;
  /** CommissionAdjusted: the kind of line it adjusts and when its adoption happened. */
  adjusts?: { kind: 'accrual' | 'clawback'; adjustedAt: string };
  /** The payment whose commission the line earns (accrual) or reverses (clawback). */
  paymentId: string;
  /** When the cash was received (accrual) or returned (clawback). */
  occurredAt: string;
  position: bigint;
}

export interface PayoutInstants {
  /** The last instant of the quarter paid (quarter.ts quarterEnd, in the policy's time zone). */
  quarterEnd: string;
  /** When the payout is made: its occurredAt. */
  paidAt: string;
}

/** The lines the payout settles: see the rule above. Throws on a line that is not whole, non-negative fen. */
export function dueLines(lines: readonly UnsettledLine[], settledLineIds: ReadonlySet<string>, at: PayoutInstants): UnsettledLine[] {
  const unsettled = unsettledOnce(lines, settledLineIds);
  const accrualsUntil = at.quarterEnd < at.paidAt ? at.quarterEnd : at.paidAt;
  const heldPayments = new Set<string>();
  for (const line of unsettled) {
    if ((line.type === 'CommissionAccrued' || line.adjusts?.kind === 'accrual') && line.occurredAt > accrualsUntil) heldPayments.add(line.paymentId);
  }
  const due = unsettled.filter((line) => {
    if (line.adjusts && line.adjusts.adjustedAt > at.paidAt) return false;
    const kind = line.adjusts?.kind ?? (line.type === 'CommissionAccrued' ? 'accrual' : 'clawback');
    return kind === 'accrual' ? line.occurredAt <= accrualsUntil : line.occurredAt <= at.paidAt && !heldPayments.has(line.paymentId);
  });
  return due.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

/** Each line once, without those a payout already settled. */
function unsettledOnce(lines: readonly UnsettledLine[], settledLineIds: ReadonlySet<string>): UnsettledLine[] {
  const seen = new Set<string>();
  const out: UnsettledLine[] = [];
  for (const line of lines) {
    if (settledLineIds.has(line.eventId) || seen.has(line.eventId)) continue;
    if (!Number.isSafeInteger(line.commissionFen) || (line.type !== 'CommissionAdjusted' && line.commissionFen < 0)) throw new Error(`line ${line.eventId}: commission must be non-negative fen`);
    seen.add(line.eventId);
    out.push(line);
  }
  return out;
}

/** A line's commission as the partner sees it: positive for an accrual, negative for a clawback. */
export const signedCommissionFen = (line: UnsettledLine): number => (line.type === 'CommissionClawedBack' ? -line.commissionFen : line.commissionFen);
