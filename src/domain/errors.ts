// The one typed error every refused command throws: the rule's code, a sentence a person can
// read, and the figures the refusal was decided on. Nothing is written when it is thrown.

export type Figures = Record<string, string | number | boolean | null>;

/**
 * How the edge answers a refusal: a business rule (422), a clash with what is stored (409),
 * an unknown id (404), an actor acting on what is not theirs (403).
 */
export type RefusalKind = 'rule' | 'conflict' | 'not-found' | 'forbidden';

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
