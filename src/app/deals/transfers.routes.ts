// Transfers: a proposal (POST /deals/:id/transfer, deals.routes.ts) approved or rejected by a
// manager other than its proposer (src/domain/transfers.ts).
import { TransferApprovalAnswer, TransferRejectionAnswer } from '../http/answers.js';
import { commandRoute } from '../http/command-route.js';

const tag = 'deals';

export const approveTransferRoute = commandRoute('approveTransfer', {
  path: '/transfers/:id/approve',
  pathFields: { id: 'transferId' },
  tag,
  summary: 'Approve a proposed transfer (DealTransferred): a manager other than the proposer; the 28-day rule is checked again now',
  roles: ['manager'],
  response: TransferApprovalAnswer,
});

export const rejectTransferRoute = commandRoute('rejectTransfer', {
  path: '/transfers/:id/reject',
  pathFields: { id: 'transferId' },
  tag,
  summary: 'Reject a proposed transfer, with a reason or none (TransferRejected): a manager other than the proposer; the customer stays',
  roles: ['manager'],
  response: TransferRejectionAnswer,
});

export const transfersRoutes = [approveTransferRoute, rejectTransferRoute];
