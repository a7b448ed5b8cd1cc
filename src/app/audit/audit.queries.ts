// The auditor's queries: a customer's account, the chain check, the event feed.
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import type { AuditAnswer, EventsPage } from '../../ledger/queries.js';
import { ApiQuery } from '../core/cqrs-base.js';
import { resolveCustomerKey } from '../core/customer-keys.js';
import { LEDGER } from '../core/ledger.token.js';
import { notFound } from '../http/problem.js';

export interface VerifyAnswer {
  ok: boolean;
  events: number;
  headHash: string;
  firstBadPosition?: number;
  problem?: string;
}

export class AuditCustomer extends ApiQuery<{ key: string }, AuditAnswer> {}
export class VerifyChain extends ApiQuery<Record<string, never>, VerifyAnswer> {}
export class ReadEvents extends ApiQuery<{ from: number; limit: number }, EventsPage> {}

@QueryHandler(AuditCustomer)
export class AuditCustomerHandler implements IQueryHandler<AuditCustomer> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(q: AuditCustomer): Promise<AuditAnswer> {
    const key = resolveCustomerKey(this.ledger, q.input.key);
    const answer = await this.ledger.readSide.queries.auditCustomer(key, q.time);
    if (!answer) throw notFound(`no event about customer ${key}${q.time.asOf ? ` as of ${q.time.asOf}` : ''}`);
    return answer;
  }
}

@QueryHandler(VerifyChain)
export class VerifyChainHandler implements IQueryHandler<VerifyChain> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  async execute(): Promise<VerifyAnswer> {
    const result = await this.ledger.store.verify();
    const answer: VerifyAnswer = { ok: result.ok, events: result.events, headHash: result.headHash };
    if (result.firstBadPosition !== undefined) answer.firstBadPosition = Number(result.firstBadPosition);
    if (result.problem !== undefined) answer.problem = result.problem;
    return answer;
  }
}

@QueryHandler(ReadEvents)
export class ReadEventsHandler implements IQueryHandler<ReadEvents> {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
  execute(q: ReadEvents): Promise<EventsPage> {
    return this.ledger.readSide.queries.events(BigInt(q.input.from), q.input.limit);
  }
}

export const auditQueryHandlers = [AuditCustomerHandler, VerifyChainHandler, ReadEventsHandler];
