// The zod pieces every command's input is built from, named once: the HTTP routes derive their
// params and bodies from the commands' inputs (src/app/http/command-route.ts), the CLI and the
// demo hand the same shapes in. Field rules follow the event catalogue (src/domain/events.ts),
// so what passes here fits the events it becomes. Money is integer fen throughout.
import { z } from 'zod';
import { Id, Quarter as QuarterSchema, Text } from '../../domain/events.js';
import { readInstant } from '../../domain/instant.js';
import { readQueryInstant } from '../../domain/query-time.js';

/**
 * An ISO-8601 instant with Z or an offset (or a bare date, meaning its UTC midnight: a command's
 * occurredAt is a fact's own time, not a question about a day), made canonical; anything that is
 * not a real calendar instant is refused (src/domain/instant.ts).
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
 * asOf / validAt on a read: an instant made canonical, or a bare date kept as written, which the
 * read side resolves to the END of that day in the policy's time zone (src/domain/query-time.ts).
 */
export const QueryInstant = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const reading = readQueryInstant(value);
    if (reading.ok) return reading.value;
    ctx.addIssue({ code: 'custom', message: reading.problem });
    return z.NEVER;
  })
  .meta({
    format: 'date-time',
    description: "ISO-8601 instant with its zone (2026-07-01T00:00:00+08:00), or a date (2026-07-01): the end of that day in the policy's time zone",
    example: '2026-07-01T00:00:00+08:00',
  });

/**
 * `occurredAt` on a command: when it happened in the business (manager and finance only).
 * Absent: the ledger's clock. The policy's range (limits.earliestOccurredAt, futureSkewMs) is
 * checked by the command path with the ledger's own policy (src/domain/business-time.ts).
 */
export const OccurredAt = IsoInstant.optional().meta({
  format: 'date-time',
  description:
    "When it happened in the business (manager and finance only; defaults to the time of recording). Within the policy's limits: by default not before 2000-01-01 in Asia/Shanghai and not more than 60 s past the server's clock.",
});

/** An amount of money: a positive safe integer number of fen (the policy caps it: limits.maxAmountFen). */
export const AmountFen = z
  .number()
  .int('must be an integer number of fen (no fractions)')
  .positive('must be greater than zero')
  .meta({ description: 'Integer fen (CNY minor units): 1234500 is 12,345.00 CNY.', example: 1_234_500 });

/** An estimate in fen: zero allowed. */
export const NonNegativeFen = z.number().int('must be an integer number of fen').min(0, 'must not be negative').meta({ description: 'Integer fen.' });

/**
 * Characters a name or reason may not hold: C0/C1 controls (NUL, ESC, …), bidi overrides and
 * isolates (which reorder what a reader sees), and lone surrogates (not text at all).
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a text holds a control character, a bidi override or a lone surrogate. */
export function hasUnprintable(text: string): boolean {
  return UNPRINTABLE.test(text);
}

/** A name, reason or other free text: 1–500 printable characters after trimming. */
export const FreeText = Text.refine((t) => !hasUnprintable(t), 'must not contain control characters, bidi overrides or lone surrogates');

/** A count of ports (enterprise voice-network lines): a whole number up to 10,000,000. */
export const Ports = z.number().int().min(0).max(10_000_000);

export const EntityId = Id;
export const Quarter = QuarterSchema.meta({ example: '2026-Q3' });
