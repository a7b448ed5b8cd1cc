// What every decider is given besides the command and the state: the policy, the business
// instant of the command, and who asks. No clock: the command layer passes the instant in.
import { refuse } from './errors.js';
import type { Actor, EventOf, EventType } from './events.js';
import { DAY_MS, type Policy } from './policy.js';

export interface DecideContext {
  policy: Policy;
  /** The command's occurredAt (the ledger's clock unless a manager or finance back-fills). */
  occurredAt: string;
  actor: Actor;
}

/** Builds an event of a type with its data, keeping the union discriminated. */
export function eventOf<T extends EventType>(type: T, data: EventOf<T>['data']): EventOf<T> {
  return { type, data } as EventOf<T>;
}

/** A reason (or other text) a rule requires: trimmed, refused when empty. */
export function requiredText(value: string | null | undefined, rule: string, what: string): string {
  const text = value?.trim() ?? '';
  if (text.length === 0) refuse(rule, `${what} is required`);
  return text;
}

export function requireManager(ctx: DecideContext, rule: string, what: string): void {
  if (ctx.actor.role !== 'manager') {
    refuse(rule, `${what} refused: only a manager decides it (asked by ${ctx.actor.role} ${ctx.actor.id})`, { role: ctx.actor.role });
  }
}

/** Whole days from `from` to `to` (floored; negative when `to` is earlier). */
export function wholeDaysBetween(from: string, to: string): number {
  return Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS);
}
