// The policies capability's queries and their handlers (QueryBus → src/ledger/policy-queries.ts).
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import { type PolicyDiffAnswer, type PolicyDocumentAnswer, policyDiff, policyVersion, policyVersions, type PolicyVersionAnswer } from '../../ledger/policy-queries.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { LEDGER } from '../core/ledger.token.js';
import { notFound } from '../http/problem.js';

export class ListPolicies extends ApiQuery<Record<string, never>, PolicyVersionAnswer[]> {}
export class GetPolicy extends ApiQuery<{ version: string }, PolicyDocumentAnswer> {}
export class DiffPolicy extends ApiQuery<{ version: string; against: string }, PolicyDiffAnswer> {}

const asOfWords = (asOf: string | undefined) => (asOf ? ` as of ${asOf}` : '');

@QueryHandler(ListPolicies)
export class ListPoliciesHandler implements IQueryHandler<ListPolicies> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: ListPolicies): Promise<PolicyVersionAnswer[]> {
    return policyVersions(this.ledger.store, this.ledger.policy, q.time.asOf);
  }
}

@QueryHandler(GetPolicy)
export class GetPolicyHandler implements IQueryHandler<GetPolicy> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: GetPolicy): Promise<PolicyDocumentAnswer> {
    const answer = await policyVersion(this.ledger.store, this.ledger.policy, q.input.version, q.time.asOf);
    if (!answer) throw notFound(`no policy version ${q.input.version}${asOfWords(q.time.asOf)}`);
    return answer;
  }
}

@QueryHandler(DiffPolicy)
export class DiffPolicyHandler implements IQueryHandler<DiffPolicy> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: DiffPolicy): Promise<PolicyDiffAnswer> {
    const answer = await policyDiff(this.ledger.store, this.ledger.policy, q.input.version, q.input.against, q.time.asOf);
    if ('unknown' in answer) throw notFound(`no policy version ${answer.unknown}${asOfWords(q.time.asOf)}`);
    return answer;
  }
}

export const policiesQueryHandlers = [ListPoliciesHandler, GetPolicyHandler, DiffPolicyHandler];
