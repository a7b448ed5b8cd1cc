// Contracts: the owning claim's contract submitted to the vendor, confirmed (the signing) or
// rejected by a manager (src/domain/contracts.ts).
import { ConfirmContractAnswer, RejectContractAnswer, SubmitContractAnswer } from '../http/answers.js';
import { commandRoute } from '../http/command-route.js';

const tag = 'deals';

export const submitContractRoute = commandRoute('submitContract', {
  path: '/deals/:id/contract',
  pathFields: { id: 'dealId' },
  tag,
  summary: "Submit the owning claim's contract to the vendor: ports and value in fen (ContractSubmitted); one pending contract at a time",
  description: 'The owning partner (for its own deal, never back-dated) or a manager. Contracts are the vendor\'s: a partner cannot mark its deal signed; the vendor\'s confirmation signs it.',
  roles: ['manager', 'partner'],
  response: SubmitContractAnswer,
});

export const confirmContractRoute = commandRoute('confirmContract', {
  path: '/deals/:id/contract/confirm',
  pathFields: { id: 'dealId' },
  tag,
  summary: 'Confirm the pending contract: the signing (ContractConfirmed); the deal is signed at signedAt, which starts its commission years and counts for tiers',
  roles: ['manager'],
  response: ConfirmContractAnswer,
});

export const rejectContractRoute = commandRoute('rejectContract', {
  path: '/deals/:id/contract/reject',
  pathFields: { id: 'dealId' },
  tag,
  summary: 'Reject the pending contract with a reason (ContractRejected); the claim may submit another',
  roles: ['manager'],
  response: RejectContractAnswer,
});

export const contractsRoutes = [submitContractRoute, confirmContractRoute, rejectContractRoute];
