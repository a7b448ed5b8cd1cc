// The money capability's commands (CommandBus → Ledger.execute → src/ledger/commands.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const ReceivePayment = ledgerCommand('receivePayment');
export const IssueRefund = ledgerCommand('issueRefund');
export const PayOut = ledgerCommand('payOut');

export const moneyCommandHandlers = [ReceivePayment, IssueRefund, PayOut].map((c) => c.Handler);
