// A customer named in a path: the stored key it means, by the domain's rule (customer-key.ts
// chooseCustomerKey) over the read model's matches. 404 when none, 409 when a name fits several.
import { chooseCustomerKey } from '../../domain/customer-key.js';
import type { Ledger } from '../../ledger/ledger.js';

export function resolveCustomerKey(ledger: Ledger, input: string): string {
  return chooseCustomerKey(input, ledger.readSide.lookups.customerKeysMatching(input), 'query');
}
