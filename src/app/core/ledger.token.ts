// The injection token under which the app finds the opened Ledger (src/ledger/ledger.ts).
export const LEDGER = Symbol('Ledger');
