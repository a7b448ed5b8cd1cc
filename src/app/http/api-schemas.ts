// The zod pieces every route's params, query and body are built from. Field rules follow the
// event catalogue (src/domain/events.ts) so that what passes here fits the events it becomes.
import { z } from 'zod';
import { Id, Quarter as QuarterSchema, Text } from '../../domain/events.js';
import { occurredAtProblem } from '../../domain/business-time.js';
import { readInstant } from '../../domain/instant.js';
import { defaultPolicy, type Policy } from '../../domain/policy.js';

/**
 * An ISO-8601 instant with Z or an offset (or a bare date, meaning its UTC midnight), made
 * canonical; anything that is not a real calendar instant is refused (src/domain/instant.ts).
 */
export const IsoInstant = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const reading = readInstant(value);
    if (reading.ok) return reading.iso;
    ctx.addIssue({ code: 'custom', message: reading.problem });
    return z.NEVER;
  })
  .meta({ format: 'date-time', description: 'ISO-8601 instant, e.g. 2026-07-01T00:00:00Z', example: '2026-07-01T00:00:00Z' });

/**
 * `occurredAt` on a command: when it happened in the business; within the policy's limits (by
 * default not before 2000-01-01 in Asia/Shanghai, not more than 60 s past the server's clock).
 * The edge checks the default policy's range; the command path checks the ledger's own policy.
 */
export const OccurredAt = (nowMs: () => number = Date.now, policy: Pick<Policy, 'timeZone' | 'limits'> = defaultPolicy) =>
  IsoInstant.superRefine((iso, ctx) => {
    const problem = occurredAtProblem(iso, policy, new Date(nowMs()).toISOString());
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }).meta({
    format: 'date-time',
    description: `When it happened in the business (manager and finance only; defaults to the time of recording). Not before ${policy.limits.earliestOccurredAt} in ${policy.timeZone}, not in the future.`,
  });

/** `asOf` and `validAt` on every read. */
export const timeQueryShape = {
  asOf: IsoInstant.optional().meta({ description: 'Transaction time: the answer as the ledger knew it at this instant.' }),
  validAt: IsoInstant.optional().meta({ description: 'Valid time: the state of the business at this instant, as known (now or at asOf).' }),
};
export const TimeQuery = z.strictObject(timeQueryShape);
export type TimeQueryInput = z.output<typeof TimeQuery>;

/** An amount of money: a positive safe integer number of fen. */
export const AmountFen = z
  .number()
  .int('must be an integer number of fen (no fractions)')
  .positive('must be greater than zero')
  .meta({ description: 'Integer fen (CNY minor units): 1234500 is 12,345.00 CNY.', example: 1_234_500 });
export const NonNegativeFenInput = z.number().int('must be an integer number of fen').min(0, 'must not be negative').meta({ description: 'Integer fen.' });

export const EntityId = Id;
export const ReasonText = Text;
export const Quarter = QuarterSchema.meta({ example: '2026-Q3' });

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
