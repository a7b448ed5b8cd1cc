// What a partner's token is answered about customers and about the ledger's own history. Every
// view of a customer goes through the partner-visibility rule (src/domain/partner-view.ts,
// partnerViewOf) over the customer's ownership facts as a cut holds them, folded by the domain's
// customer fold (the policy's, through the domain bridge); the timeline carries no ledger-wide
// figure. The HTTP handlers call these for partner tokens instead of the managers' answers.
import type { CustomerState } from '../domain/customer.js';
import { partnerStream } from '../domain/events.js';
import { type PartnerOwnershipView, partnerViewOf } from '../domain/partner-view.js';
import type { TimeQuery } from '../../projections/cut.js';
import { domainBridge } from '../../projections/domain-bridge.js';
import type { OwnershipFold } from '../../projections/ownership.js';
import * as read from '../../projections/readers.js';
import type { Ledger } from './ledger.js';
import { claimEnvelope } from './queries.js';

/**
 * A partner's timeline: its own events only (the events of its partner stream and of its own
 * claims: registrations, stages, losses, transfers and rulings naming one of its deals), from its
 * own signing to now; no log position, nothing counted of anyone else.
 */
export interface PartnerTimeline {
  /** The partner's own events (in the read model now). */
  events: number;
  /** Of those, the ones the ledger knew at asOf (all of them without asOf). */
  knownEvents: number;
  /** When the ledger recorded the partner's signing (null when it is not signed). */
  firstRecordedAt: string | null;
  /** Now, by the ledger's clock (not the last event anyone recorded). */
  lastRecordedAt: string;
  timeZone: string;
}

/** The customers a partner claims that another claim owns, each as partnerViewOf shows it. */
export interface PartnerConflictsReport {
  customers: PartnerOwnershipView[];
}

export class PartnerQueries {
  private readonly fold: OwnershipFold<CustomerState>;

  constructor(private readonly ledger: Pick<Ledger, 'readSide' | 'store' | 'policy' | 'timeZone' | 'nowIso'>) {
    this.fold = domainBridge(ledger.policy).ownership as OwnershipFold<CustomerState>;
  }

  /** The customer's ownership facts inside the cut, folded; null when the cut holds no claim on it. */
  private customerAt(customerKey: string, query: TimeQuery): CustomerState | null {
    const { runner, queries } = this.ledger.readSide;
    queries.need('ownership');
    const rows = read.claimEventsAt(runner.db, customerKey, queries.cut(query));
    if (rows.length === 0) return null;
    let state = this.fold.initial(customerKey);
    for (const r of rows) state = this.fold.evolve(state, claimEnvelope(r));
    return state;
  }

  /** The customer as the partner may see it; null when it has no claim on it inside the cut. */
  ownership(customerKey: string, partnerId: string, query: TimeQuery = {}): PartnerOwnershipView | null {
    const state = this.customerAt(customerKey, query);
    return state === null ? null : partnerViewOf(state, partnerId, this.ledger.policy);
  }

  /**
   * The partner's conflicts: the customers it claims that another claim owns. A customer it owns
   * is not listed, whatever else claims it: listing it would tell it that competing claims exist.
   */
  async conflicts(partnerId: string, query: TimeQuery = {}): Promise<PartnerConflictsReport> {
    const pipeline = await this.ledger.readSide.queries.pipeline({ ...query, partnerId });
    const keys = new Set<string>();
    for (const partner of pipeline.partners) for (const deal of partner.deals) keys.add(deal.customerKey);
    const customers: PartnerOwnershipView[] = [];
    for (const key of [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const view = this.ownership(key, partnerId, query);
      if (view?.owner === 'other') customers.push(view);
    }
    return { customers };
  }

  /** The partner's own history: its own events, how many of them asOf knew, its signing to now. */
  async timeline(partnerId: string, query: Pick<TimeQuery, 'asOf'> = {}): Promise<PartnerTimeline> {
    const { queries } = this.ledger.readSide;
    const now = queries.cut({});
    const known = query.asOf ? queries.cut({ asOf: query.asOf }) : now;
    const stream = (await this.ledger.store.readStream(partnerStream(partnerId))).filter((e) => Number(e.position) <= now.position);
    const positions = [...stream.map((e) => Number(e.position)), ...(await this.ownClaimEventPositions(partnerId))];
    return {
      events: positions.length,
      knownEvents: positions.filter((p) => p <= known.position).length,
      firstRecordedAt: stream[0]?.recordedAt ?? null,
      lastRecordedAt: this.ledger.nowIso(),
      timeZone: this.ledger.timeZone,
    };
  }

  /** Positions of the events of the partner's own claims the read model holds now. */
  private async ownClaimEventPositions(partnerId: string): Promise<number[]> {
    const { runner, queries } = this.ledger.readSide;
    const pipeline = await queries.pipeline({ partnerId });
    const dealsByCustomer = new Map<string, Set<string>>();
    for (const partner of pipeline.partners) {
      for (const deal of partner.deals) dealsByCustomer.set(deal.customerKey, (dealsByCustomer.get(deal.customerKey) ?? new Set()).add(deal.dealId));
    }
    const cut = queries.cut({});
    const positions: number[] = [];
    for (const [customerKey, deals] of dealsByCustomer) {
      for (const row of read.claimEventsAt(runner.db, customerKey, cut)) if (dealIdsOf(row).some((id) => deals.has(id))) positions.push(row.position);
    }
    return positions;
  }
}

/** The deals a claim event names. */
function dealIdsOf(row: read.ClaimEventRow): string[] {
  const d = row.data as { dealId?: unknown; fromDealId?: unknown; toDealId?: unknown; ownerDealId?: unknown };
  return [d.dealId, d.fromDealId, d.toDealId, d.ownerDealId].filter((id): id is string => typeof id === 'string');
}

const byLedger = new WeakMap<object, PartnerQueries>();

/** The ledger's partner queries (made once per ledger). */
export function partnerQueriesOf(ledger: Pick<Ledger, 'readSide' | 'store' | 'policy' | 'timeZone' | 'nowIso'>): PartnerQueries {
  let queries = byLedger.get(ledger);
  if (!queries) {
    queries = new PartnerQueries(ledger);
    byLedger.set(ledger, queries);
  }
  return queries;
}
