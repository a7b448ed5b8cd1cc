// The rule: contracts are the vendor's. DOMAIN.md: every customer agreement a partner brings is
// submitted to the vendor, approved, and signed in the vendor's name; a partner cannot declare
// its own deal signed; the vendor's confirmation is the signing, and it is what starts the
// commission years and counts for tiers.
//  - A partner never moves its deal to `signed` (partner-cannot-sign). A manager still may: the
//    vendor signing its own paper (a direct sales deal, a signing back-filled from the record).
//  - The owning claim's partner, or a manager, submits the claim's contract (ports, value in fen):
//    only the claim that owns the customer (contract-not-owner), only an open deal (deal-closed),
//    one pending contract at a time (contract-already-pending), never dated before the deal's
//    registration (contract-before-registration).
//  - A manager confirms the pending contract with the signing date (contract-confirm-needs-manager,
//    contract-not-pending): not before the submission (contract-signed-before-submission), while
//    the claim still owns the customer and is open. ContractConfirmed is the signing: the deal is
//    signed at signedAt (the event's occurredAt) with the same effect as an advance to signed
//    (the commission years count from it, it counts for the quarter's tier evaluation, the pipeline
//    shows the deal signed).
//  - A manager rejects the pending contract with a reason (contract-reject-needs-manager,
//    contract-reason-required, contract-not-pending); the claim may then submit another.
import { requireAmountFen } from './amount-limit.js';
import { ownerWords, requireClaim, requireOpen } from './claim-checks.js';
import type { Claim, CustomerState } from './customer.js';
import { ownerClaim } from './customer.js';
import { type DecideContext, eventOf, requiredText, requireManager } from './decide-context.js';
import { refuse } from './errors.js';
import type { EventOf } from './events.js';
import { formatFen } from './money.js';

export type ContractCommand =
  | { type: 'SubmitContract'; data: { dealId: string; ports: number; contractValueFen: number } }
  /** The signing date is the command's business time (its occurredAt). */
  | { type: 'ConfirmContract'; data: { dealId: string } }
  | { type: 'RejectContract'; data: { dealId: string; reason: string } };

export type ContractEvent = EventOf<'ContractSubmitted' | 'ContractConfirmed' | 'ContractRejected'>;

export function decideContract(command: ContractCommand, state: CustomerState, ctx: DecideContext): ContractEvent {
  switch (command.type) {
    case 'SubmitContract':
      return decideSubmission(command.data, state, ctx);
    case 'ConfirmContract':
      return decideConfirmation(command.data, state, ctx);
    case 'RejectContract':
      return decideRejection(command.data, state, ctx);
  }
}

/** A stage change to `signed` is the vendor's: a partner submits its contract instead. */
export function requireVendorSigns(ctx: DecideContext, dealId: string): void {
  if (ctx.actor.role === 'partner') {
    refuse(
      'partner-cannot-sign',
      `stage change refused: a partner cannot mark its own deal ${dealId} signed; contracts are the vendor's: submit the contract, and the vendor's confirmation signs the deal`,
      { dealId, stage: 'signed' },
    );
  }
}

/** Only the claim that owns the customer: a partner is not told which claim owns it. */
function requireOwning(state: CustomerState, claim: Claim, ctx: DecideContext, what: string): void {
  const owner = ownerClaim(state);
  if (owner?.dealId === claim.dealId) return;
  const words = ctx.actor.role === 'partner' ? 'another claim owns it' : ownerWords(state);
  refuse('contract-not-owner', `${what} refused: deal ${claim.dealId} does not own customer ${state.customerKey}; ${words}; only the owning claim's contract goes to the vendor`, {
    dealId: claim.dealId,
  });
}

function requirePending(claim: Claim, what: string): NonNullable<Claim['contract']> {
  if (claim.contract === null) refuse('contract-not-pending', `${what} refused: deal ${claim.dealId} has no contract waiting for the vendor`, { dealId: claim.dealId });
  return claim.contract;
}

function decideSubmission(d: Extract<ContractCommand, { type: 'SubmitContract' }>['data'], state: CustomerState, ctx: DecideContext): EventOf<'ContractSubmitted'> {
  const claim = requireClaim(state, d.dealId);
  requireOpen(claim, 'contract submission');
  requireOwning(state, claim, ctx, 'contract submission');
  if (claim.contract !== null) {
    refuse(
      'contract-already-pending',
      `contract submission refused: deal ${claim.dealId} already has a contract waiting for the vendor (submitted ${claim.contract.submittedAt}: ${claim.contract.ports} ports, ${formatFen(claim.contract.contractValueFen)}); it is confirmed or rejected first`,
      { dealId: claim.dealId, submittedAt: claim.contract.submittedAt },
    );
  }
  if (ctx.occurredAt < claim.registeredAt) {
    refuse('contract-before-registration', `contract submission refused: ${ctx.occurredAt} is before the deal's registration at ${claim.registeredAt}`, {
      occurredAt: ctx.occurredAt,
      registeredAt: claim.registeredAt,
    });
  }
  requireAmountFen(d.contractValueFen, ctx.policy, 'contract value');
  return eventOf('ContractSubmitted', { customerKey: state.customerKey, dealId: claim.dealId, ports: d.ports, contractValueFen: d.contractValueFen });
}

function decideConfirmation(d: Extract<ContractCommand, { type: 'ConfirmContract' }>['data'], state: CustomerState, ctx: DecideContext): EventOf<'ContractConfirmed'> {
  requireManager(ctx, 'contract-confirm-needs-manager', 'contract confirmation');
  const claim = requireClaim(state, d.dealId);
  requireOpen(claim, 'contract confirmation');
  const contract = requirePending(claim, 'contract confirmation');
  requireOwning(state, claim, ctx, 'contract confirmation');
  if (ctx.occurredAt < contract.submittedAt) {
    refuse('contract-signed-before-submission', `contract confirmation refused: signedAt ${ctx.occurredAt} is before the contract was submitted (${contract.submittedAt}); the vendor signs what was submitted`, {
      signedAt: ctx.occurredAt,
      submittedAt: contract.submittedAt,
    });
  }
  return eventOf('ContractConfirmed', {
    customerKey: state.customerKey,
    dealId: claim.dealId,
    from: claim.stage,
    ports: contract.ports,
    contractValueFen: contract.contractValueFen,
    signedAt: ctx.occurredAt,
  });
}

function decideRejection(d: Extract<ContractCommand, { type: 'RejectContract' }>['data'], state: CustomerState, ctx: DecideContext): EventOf<'ContractRejected'> {
  requireManager(ctx, 'contract-reject-needs-manager', 'contract rejection');
  const reason = requiredText(d.reason, 'contract-reason-required', 'a reason for the rejection');
  const claim = requireClaim(state, d.dealId);
  const contract = requirePending(claim, 'contract rejection');
  return eventOf('ContractRejected', { customerKey: state.customerKey, dealId: claim.dealId, reason, ports: contract.ports, contractValueFen: contract.contractValueFen });
}
