// The zod pieces of the read routes' params and queries. A command route's params and body come
// from the command's own input (src/ledger/commands/fields.ts, http/command-route.ts).
import { z } from 'zod';
import { EntityId, QueryInstant } from '../../ledger/commands/fields.js';

/** `asOf` and `validAt` on every read; a bare date is the end of that day in the policy's time zone. */
export const timeQueryShape = {
  asOf: QueryInstant.optional().meta({ description: "Transaction time: the answer as the ledger knew it at this instant (a date: the end of that day in the policy's time zone)." }),
  validAt: QueryInstant.optional().meta({ description: "Valid time: the state of the business at this instant, as known (now or at asOf); a date: the end of that day in the policy's time zone." }),
};
export const TimeQuery = z.strictObject(timeQueryShape);
export type TimeQueryInput = z.output<typeof TimeQuery>;

/** A customer key in a path: the normalised key (or a name / tax id that normalises to it). */
export const CustomerKeyParam = z.string().min(1).max(300);

export const IdParams = z.strictObject({ id: EntityId });
export const KeyParams = z.strictObject({ key: CustomerKeyParam });

/** An integer in a query string. */
export const QueryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${min}..${max}`);
