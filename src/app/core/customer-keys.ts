// A customer named in a path: its key as stored, or a name / tax id that the domain's
// customer-key rule folds into one stored key.
import type { Ledger } from '../../ledger/ledger.js';
import { conflict, notFound } from '../http/problem.js';

/** The stored customer key a path segment means; 404 when none, 409 when a name fits several. */
export function resolveCustomerKey(ledger: Ledger, input: string): string {
  const { queries, customerKeyOf } = ledger.readSide;
  const keys = queries.customerKeysFor(input, customerKeyOf(input));
  if (keys.includes(input)) return input;
  const [only, ...others] = keys;
  if (only === undefined) throw notFound(`no customer "${input}"`);
  if (others.length > 0) throw conflict(`"${input}" names ${keys.length} customers (${keys.join(', ')}); ask by key`);
  return only;
}

/** Like resolveCustomerKey, but a customer with no claim yet keeps the key the domain would give it. */
export function customerKeyForCommand(ledger: Ledger, input: string): string {
  const { queries, customerKeyOf } = ledger.readSide;
  const keys = queries.customerKeysFor(input, customerKeyOf(input));
  if (keys.includes(input)) return input;
  if (keys.length === 1) return keys[0] as string;
  if (keys.length > 1) throw conflict(`"${input}" names ${keys.length} customers (${keys.join(', ')}); rule by key`);
  return input;
}
