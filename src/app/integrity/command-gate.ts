// Whether this server may write: not when it was started read-only for forensics, and not once
// the chain is found broken (at start with the forensics flag, or by the full verify that runs
// after the start). Then every command route answers 503 with a problem saying why; reads,
// the chain check and the event feed stay open, so an auditor can look at what happened.
import { CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ProblemError } from '../http/problem.js';
import { routeSpecOf } from '../http/route.js';

export interface ChainFinding {
  firstBadPosition: bigint;
  problem: string;
}

export class LedgerIntegrity {
  private finding: ChainFinding | null = null;
  private readModelFailure: () => string | null = () => null;

  constructor(readonly forensics: boolean) {}

  markBroken(finding: ChainFinding): void {
    this.finding ??= finding;
  }

  /** Commands are refused too while the read model has stopped on a fact it could not apply. */
  watchReadModel(failure: () => string | null): void {
    this.readModelFailure = failure;
  }

  get broken(): ChainFinding | null {
    return this.finding;
  }

  /** Why commands are refused, or null when they are not. */
  refusal(): string | null {
    const where = this.finding ? `the event log's hash chain is broken at position ${this.finding.firstBadPosition} (${this.finding.problem})` : null;
    if (this.forensics) {
      return `the ledger runs read-only for forensics (--read-only-forensics / LEDGER_FORENSICS): commands are refused${where ? `; ${where}` : ''}`;
    }
    if (where) return `${where}: commands are refused until the log is restored; reads and GET /audit/verify still answer`;
    const stopped = this.readModelFailure();
    return stopped === null
      ? null
      : `the read model stopped on a fact it could not apply (${stopped}): the ledger is degraded, commands are refused and reads answer as of the last applied position; fix the cause and run ledger replay`;
  }
}

/** Registered after the auth guard: a caller still learns 401/403 first, then the 503. */
@Injectable()
export class CommandGate implements CanActivate {
  constructor(private readonly integrity: LedgerIntegrity) {}

  canActivate(context: ExecutionContext): boolean {
    const spec = routeSpecOf(context);
    if (!spec || spec.method !== 'POST') return true;
    const refusal = this.integrity.refusal();
    if (refusal !== null) throw new ProblemError('unavailable', refusal);
    return true;
  }
}
