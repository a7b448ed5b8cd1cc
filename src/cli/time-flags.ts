// The time-travel flags of the read-side commands: --as-of T and --valid-at T, read with the
// domain's strict instant reader (src/domain/instant.ts); a bad one is a usage error naming the flag.
// A bare date is kept as written: the read side takes it as the end of that day in the policy's
// time zone (src/domain/query-time.ts), as the API and the page do.
import type { TimeQuery } from '../../projections/cut.js';
import { readQueryInstant } from '../domain/query-time.js';
import { UsageError } from './cli-args.js';

/** The canonical instant (or bare date) a flag names, undefined when the flag is absent; UsageError "--as-of …" when it is neither. */
export function instantFlag(values: ReadonlyMap<string, string>, flag: string): string | undefined {
  const value = values.get(flag);
  if (value === undefined) return undefined;
  const reading = readQueryInstant(value);
  if (!reading.ok) throw new UsageError(`--${flag} ${reading.problem}`);
  return reading.value;
}

/** --as-of and --valid-at as a TimeQuery. */
export function timeQueryOfFlags(values: ReadonlyMap<string, string>): TimeQuery {
  return { asOf: instantFlag(values, 'as-of'), validAt: instantFlag(values, 'valid-at') };
}
