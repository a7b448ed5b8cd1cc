// The one typed error every refused command throws: the rule's code, a sentence a person can
// read, and the figures the refusal was decided on. Nothing is written when it is thrown.

export type Figures = Record<string, string | number | boolean | null>;

/**
 * How the edge answers a refusal: a business rule (422), a clash with what is stored (409),
 * an unknown id (404), an actor acting on what is not theirs (403), an input field outside what
 * the policy admits (400, the field named in figures.field).
 */
export type RefusalKind = 'rule' | 'conflict' | 'not-found' | 'forbidden' | 'invalid';

export class DomainRuleError extends Error {
  override readonly name = 'DomainRuleError';
  constructor(
    /** A stable code naming the rule, e.g. "transfer-owner-not-idle". */
    readonly rule: string,
    /** The refusal in words, with the figures, e.g. "transfer refused: the owner advanced …". */
    readonly detail: string,
    readonly figures: Figures = {},
    readonly kind: RefusalKind = 'rule',
  ) {
    super(detail);
  }
}

export function refuse(rule: string, detail: string, figures: Figures = {}, kind: RefusalKind = 'rule'): never {
  throw new DomainRuleError(rule, detail, figures, kind);
}

/** For a `switch` over a discriminated union: reaching this is a bug. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}

/**
 * An invariant of a fold broken by a fact (a running total out of range, a deposit below zero).
 * The command handler evolves every decided event before the append, so a command that would
 * break one is refused with this rule and these figures and nothing is written; met on a stored
 * fact, it is a damaged log.
 */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  constructor(
    readonly rule: string,
    readonly detail: string,
    readonly figures: Figures = {},
  ) {
    super(detail);
  }
}

/** A running total in fen: a safe integer, not below `floorFen` (default 0). */
export function requireRunningTotal(totalFen: number, what: string, floorFen: number | null = 0): number {
  if (!Number.isSafeInteger(totalFen)) {
    throw new InvariantViolation('running-total-out-of-range', `${what} would reach ${totalFen} fen, beyond the ${Number.MAX_SAFE_INTEGER} fen a total can hold exactly`, {
      totalFen,
      maxTotalFen: Number.MAX_SAFE_INTEGER,
    });
  }
  if (floorFen !== null && totalFen < floorFen) {
    throw new InvariantViolation('running-total-below-floor', `${what} would fall to ${totalFen} fen, below ${floorFen}`, { totalFen, floorFen });
  }
  return totalFen;
}
