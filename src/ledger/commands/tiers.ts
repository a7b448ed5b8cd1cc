// Quarterly tier evaluation over every partner. Which signings count (signed-customers.ts), when
// the result takes effect (evaluation-effective-date.ts) and who moves (tier-evaluation.ts) are
// the domain's; here the read model is asked for the quarter's signings and each partner is
// decided on its own stream.
import { z } from 'zod';
import type { EventDataOf } from '../../domain/events.js';
import { evaluationEffectiveAt } from '../../domain/evaluation-effective-date.js';
import { signedCustomersByPartner } from '../../domain/signed-customers.js';
import { decideTierEvaluation, isEvaluated } from '../../domain/tier-evaluation.js';
import { defineCommand, type HandledCommand, occurredAtOf, onPartnerStream, outcome } from '../command-handling.js';
import { OccurredAt, Quarter } from './fields.js';

export const evaluateTiers = defineCommand({
  name: 'evaluateTiers',
  input: z.strictObject({ quarter: Quarter, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const backfilled = input.occurredAt === undefined ? null : occurredAtOf(deps, ctx, input.occurredAt);
    await deps.lookups.catchUp();
    const signedCustomers = signedCustomersByPartner(await deps.lookups.signingsOf(input.quarter), input.quarter, deps.policy.timeZone);
    const ids = await deps.lookups.partnerIds();
    const occurredAt = evaluationEffectiveAt(input.quarter, deps.clock(), backfilled, deps.policy.timeZone);
    const context = { policy: deps.policy, occurredAt, actor: ctx.actor, signedCustomers };
    const handled: Array<HandledCommand<boolean>> = [];
    const changes: Array<{ partnerId: string; from: string; to: string; signedCustomers: number }> = [];
    for (const partnerId of ids) {
      const h = await onPartnerStream<boolean>(deps, ctx, partnerId, occurredAt, (state) => ({
        events: decideTierEvaluation({ type: 'EvaluateTier', data: { partnerId, quarter: input.quarter } }, state, context),
        answer: (s) => isEvaluated(s, input.quarter, occurredAt, deps.policy.timeZone),
      }));
      handled.push(h);
      for (const e of h.stored) {
        if (e.type !== 'TierChanged') continue;
        const d = e.data as EventDataOf<'TierChanged'>;
        changes.push({ partnerId, from: d.from, to: d.to, signedCustomers: d.figures.signedCustomers ?? 0 });
      }
    }
    return outcome({ quarter: input.quarter, evaluated: handled.filter((h) => h.answer).length, changes }, handled);
  },
});
