// The transfers' decisions (CommandBus → Ledger.execute → src/ledger/commands/transfers.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const ApproveTransfer = ledgerCommand('approveTransfer');
export const RejectTransfer = ledgerCommand('rejectTransfer');

export const transfersCommandHandlers = [ApproveTransfer, RejectTransfer].map((c) => c.Handler);
