// LedgerLookups answered by scanning the real store's log on every call: slow, simple and
// obviously right, for command-handling specs that do not exercise the projections.
import type { EventDataOf, EventEnvelope } from '../../../src/domain/events.js';
import { keyForInput } from '../../../src/domain/customer-key.js';
import { factOf } from '../../../src/domain/fact.js';
import { type AccountTotals, partnerDeltasOf, zeroAccountTotals } from '../../../src/domain/postings.js';
import { addAccountTotals } from '../../../src/domain/running-totals.js';
import type { Signing } from '../../../src/domain/signed-customers.js';
import type { LedgerLookups, LookupLine } from '../../../src/ledger/lookups.js';
import type { EventStore } from '../../../src/store/event-store.js';

export class ScanLookups implements LedgerLookups {
  constructor(private readonly store: EventStore) {}

  async catchUp(): Promise<void> {}

  private async all(): Promise<EventEnvelope[]> {
    const out: EventEnvelope[] = [];
    for await (const e of this.store.readAll()) out.push(e);
    return out;
  }

  async balanceTotals(partnerId: string): Promise<AccountTotals> {
    let totals = zeroAccountTotals();
    for (const e of await this.all()) {
      for (const d of partnerDeltasOf(factOf(e))) if (d.partnerId === partnerId) totals = addAccountTotals(partnerId, totals, d.deltas);
    }
    return totals;
  }

  async customerKeysMatching(input: string): Promise<string[]> {
    const normalised = keyForInput(input);
    const keys = new Set<string>();
    for (const e of await this.all()) {
      if (e.type !== 'DealRegistered') continue;
      const d = e.data as EventDataOf<'DealRegistered'>;
      if (d.customerKey === input || d.customerKey === normalised || d.customer.name === input || d.customer.taxId === input) keys.add(d.customerKey);
    }
    return [...keys];
  }

  async customerKeyOfDeal(dealId: string): Promise<string | null> {
    const e = (await this.all()).find((x) => x.type === 'DealRegistered' && (x.data as EventDataOf<'DealRegistered'>).dealId === dealId);
    return e ? (e.data as EventDataOf<'DealRegistered'>).customerKey : null;
  }

  async customerKeyOfPayment(paymentId: string): Promise<string | null> {
    const e = (await this.all()).find((x) => x.type === 'PaymentReceived' && (x.data as EventDataOf<'PaymentReceived'>).paymentId === paymentId);
    return e ? (e.data as EventDataOf<'PaymentReceived'>).customerKey : null;
  }

  async customerKeyOfTransfer(transferId: string): Promise<string | null> {
    const e = (await this.all()).find((x) => x.type === 'TransferProposed' && (x.data as EventDataOf<'TransferProposed'>).transferId === transferId);
    return e ? (e.data as EventDataOf<'TransferProposed'>).customerKey : null;
  }

  async unsettledLines(partnerId: string): Promise<LookupLine[]> {
    const events = await this.all();
    const settled = new Set(events.flatMap((e) => (e.type === 'CommissionPaidOut' ? (e.data as EventDataOf<'CommissionPaidOut'>).lines.map((l) => l.eventId) : [])));
    return events.flatMap((e): LookupLine[] => {
      if (settled.has(e.eventId)) return [];
      if (e.type === 'CommissionAccrued' && (e.data as EventDataOf<'CommissionAccrued'>).partnerId === partnerId) {
        const d = e.data as EventDataOf<'CommissionAccrued'>;
        return [{ eventId: e.eventId, kind: 'accrual', commissionFen: d.commissionFen, paymentId: d.paymentId, cashAt: e.occurredAt, position: Number(e.position) }];
      }
      if (e.type === 'CommissionClawedBack' && (e.data as EventDataOf<'CommissionClawedBack'>).partnerId === partnerId) {
        const d = e.data as EventDataOf<'CommissionClawedBack'>;
        return [{ eventId: e.eventId, kind: 'clawback', commissionFen: -d.commissionFen, paymentId: d.paymentId, cashAt: e.occurredAt, position: Number(e.position) }];
      }
      return [];
    });
  }

  /** Every signing in the log, whatever its quarter or channel: the domain rule chooses. */
  async signingsOf(): Promise<Signing[]> {
    const events = await this.all();
    const partnerOfDeal = new Map<string, string | null>();
    const signings: Signing[] = [];
    for (const e of events) {
      if (e.type === 'DealRegistered') {
        const d = e.data as EventDataOf<'DealRegistered'>;
        partnerOfDeal.set(d.dealId, d.partnerId);
      }
      if (e.type === 'DealStageAdvanced') {
        const d = e.data as EventDataOf<'DealStageAdvanced'>;
        if (d.stage === 'signed') signings.push({ dealId: d.dealId, partnerId: partnerOfDeal.get(d.dealId) ?? null, customerKey: d.customerKey, signedAt: e.occurredAt });
      }
      if (e.type === 'ContractConfirmed') {
        const d = e.data as EventDataOf<'ContractConfirmed'>; // the vendor's confirmation is the signing
        signings.push({ dealId: d.dealId, partnerId: partnerOfDeal.get(d.dealId) ?? null, customerKey: d.customerKey, signedAt: e.occurredAt });
      }
    }
    return signings;
  }

  async partnerIds(): Promise<string[]> {
    return (await this.all()).filter((e) => e.type === 'PartnerSigned').map((e) => (e.data as EventDataOf<'PartnerSigned'>).partnerId).sort();
  }
}
