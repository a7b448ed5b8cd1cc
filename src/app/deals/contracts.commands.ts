// The contracts' commands (CommandBus → Ledger.execute → src/ledger/commands/contracts.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const SubmitContract = ledgerCommand('submitContract');
export const ConfirmContract = ledgerCommand('confirmContract');
export const RejectContract = ledgerCommand('rejectContract');

export const contractsCommandHandlers = [SubmitContract, ConfirmContract, RejectContract].map((c) => c.Handler);
