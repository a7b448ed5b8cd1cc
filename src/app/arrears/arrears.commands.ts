// The arrears capability's commands (CommandBus → Ledger.execute → src/ledger/commands/arrears.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const RecordCustomerBill = ledgerCommand('recordCustomerBill');
export const CollectCustomerBill = ledgerCommand('collectCustomerBill');
export const ExemptArrears = ledgerCommand('exemptArrears');
export const DeductArrears = ledgerCommand('deductArrears');

export const arrearsCommandHandlers = [RecordCustomerBill, CollectCustomerBill, ExemptArrears, DeductArrears].map((c) => c.Handler);
