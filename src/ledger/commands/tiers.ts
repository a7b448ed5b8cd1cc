// Quarterly tier evaluation over every partner. Which signings count (signed-customers.ts), the
// new ports signed and paid (new-ports.ts), when the result takes effect
// (evaluation-effective-date.ts), who moves and who is certified (tier-evaluation.ts,
// tier-certificate.ts) are the domain's; here the read model is asked for the quarter's
// signings (and, when the policy counts new ports, their customers' streams are read) and each
// partner is decided on its own stream.
import { z } from 'zod';
import { customerStream, type EventDataOf } from '../../domain/events.js';
import { evaluationEffectiveAt } from '../../domain/evaluation-effective-date.js';
import { factOf, type FoldFact } from '../../domain/fact.js';
import { newPortsByPartner } from '../../domain/new-ports.js';
import { signedCustomersByPartner, type Signing } from '../../domain/signed-customers.js';
import { decideTierEvaluation, isEvaluated } from '../../domain/tier-evaluation.js';
import { type CommandDeps, defineCommand, type HandledCommand, occurredAtOf, onPartnerStream, outcome } from '../command-handling.js';
import { depsForQuarter } from '../policy-book.js';
import { OccurredAt, Quarter } from './fields.js';

/** Per partner, the new ports signed and paid in the quarter, read from the signed customers' streams. */
async function newPortsOf(deps: CommandDeps, signings: readonly Signing[], quarter: string): Promise<Map<string, number>> {
  const facts = new Map<string, FoldFact[]>();
  for (const key of new Set(signings.map((s) => s.customerKey))) facts.set(key, (await deps.store.readStream(customerStream(key))).map((e) => factOf(e)));
  return newPortsByPartner(signings, (key) => facts.get(key) ?? [], quarter, deps.policy.timeZone);
}

export interface TierMove {
  partnerId: string;
  from: string;
  to: string;
  /** The metric's figure the move was decided on (signedCustomers or newPorts, the policy's metric). */
  signedCustomers?: number;
  newPorts?: number;
}

export const evaluateTiers = defineCommand({
  name: 'evaluateTiers',
  input: z.strictObject({ quarter: Quarter, occurredAt: OccurredAt }),
  async run(commandDeps, input, ctx) {
    // The evaluation of a quarter is decided under the version in force at the quarter's end.
    const deps = depsForQuarter(commandDeps, input.quarter);
    const backfilled = input.occurredAt === undefined ? null : occurredAtOf(deps, ctx, input.occurredAt);
    await deps.lookups.catchUp();
    const metric = deps.policy.tierEvaluation.metric;
    const signings = await deps.lookups.signingsOf(input.quarter);
    const signedCustomers = signedCustomersByPartner(signings, input.quarter, deps.policy.timeZone);
    const newPorts = metric === 'newPorts' ? await newPortsOf(deps, signings, input.quarter) : undefined;
    const ids = await deps.lookups.partnerIds();
    const occurredAt = evaluationEffectiveAt(input.quarter, deps.clock(), backfilled, deps.policy.timeZone);
    const context = { policy: deps.policy, occurredAt, actor: ctx.actor, signedCustomers, ...(newPorts ? { newPorts } : {}) };
    const handled: Array<HandledCommand<boolean>> = [];
    const changes: TierMove[] = [];
    let certified = 0;
    for (const partnerId of ids) {
      const h = await onPartnerStream<boolean>(deps, ctx, partnerId, occurredAt, (state) => ({
        events: decideTierEvaluation({ type: 'EvaluateTier', data: { partnerId, quarter: input.quarter } }, state, context),
        answer: (s) => isEvaluated(s, input.quarter, occurredAt, deps.policy.timeZone),
      }));
      handled.push(h);
      for (const e of h.stored) {
        if (e.type === 'TierCertified') certified += 1;
        if (e.type !== 'TierChanged') continue;
        const d = e.data as EventDataOf<'TierChanged'>;
        changes.push({ partnerId, from: d.from, to: d.to, [metric]: d.figures[metric] ?? 0 });
      }
    }
    return outcome({ quarter: input.quarter, metric, evaluated: handled.filter((h) => h.answer).length, certified, changes }, handled);
  },
});
