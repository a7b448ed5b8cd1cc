// The one typed error every refused command throws: the rule's code, a sentence a person can
// read, and the figures the refusal was decided on. Nothing is written when it is thrown.

export type Figures = Record<string, string | number | boolean | null>;

export class DomainRuleError extends Error {
  override readonly name = 'DomainRuleError';
  constructor(
    /** A stable code naming the rule, e.g. "transfer-owner-not-idle". */
    readonly rule: string,
    /** The refusal in words, with the figures, e.g. "transfer refused: the owner advanced …". */
    readonly detail: string,
    readonly figures: Figures = {},
  ) {
    super(detail);
  }
}

/** Throws a DomainRuleError unless `condition` holds. */
export function requireRule(condition: boolean, rule: string, detail: () => string, figures: () => Figures = () => ({})): asserts condition {
  if (!condition) throw new DomainRuleError(rule, detail(), figures());
}

/** For a `switch` over a discriminated union: reaching this is a bug. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
