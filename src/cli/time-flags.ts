// The time-travel flags of the read-side commands: --as-of T and --valid-at T, read with the
// domain's strict instant reader (src/domain/instant.ts); a bad one is a usage error naming the flag.
import type { TimeQuery } from '../../projections/cut.js';
import { readInstant } from '../domain/instant.js';
import { UsageError } from '../ledger/cli-args.js';

/** The canonical instant a flag names, undefined when the flag is absent; UsageError "--as-of …" when it is not an instant. */
export function instantFlag(values: ReadonlyMap<string, string>, flag: string): string | undefined {
  const value = values.get(flag);
  if (value === undefined) return undefined;
  const reading = readInstant(value);
  if (!reading.ok) throw new UsageError(`--${flag} ${reading.problem}`);
  return reading.iso;
}

/** --as-of and --valid-at as a TimeQuery. */
export function timeQueryOfFlags(values: ReadonlyMap<string, string>): TimeQuery {
  return { asOf: instantFlag(values, 'as-of'), validAt: instantFlag(values, 'valid-at') };
}
