// Hand-built envelopes for projection specs: positions count from 1, recordedAt never decreases.
import type { EventEnvelope, LedgerEvent } from '../../../src/domain/events.js';

export interface At {
  occurredAt?: string;
  recordedAt?: string;
}

export class LogBuilder {
  readonly log: EventEnvelope[] = [];
  private clockMs = Date.parse('2026-01-05T02:00:00.000Z');

  /** Appends an event; recordedAt defaults to one hour after the previous one, occurredAt to recordedAt. */
  add(event: LedgerEvent, at: At = {}): EventEnvelope {
    const recordedAt = at.recordedAt ?? new Date((this.clockMs += 3_600_000)).toISOString();
    this.clockMs = Math.max(this.clockMs, Date.parse(recordedAt));
    const position = BigInt(this.log.length + 1);
    const e: EventEnvelope = {
      eventId: uuidFor(Number(position)),
      type: event.type,
      schemaVersion: 1,
      stream: streamOf(event),
      revision: 0n,
      position,
      occurredAt: at.occurredAt ?? recordedAt,
      recordedAt,
      actor: { role: 'manager', id: 'm-1' },
      commandId: null,
      correlationId: null,
      causationId: null,
      policyVersion: null,
      prevHash: '0'.repeat(64),
      hash: Number(position).toString(16).padStart(64, '0'),
      data: event.data,
    };
    this.log.push(e);
    return e;
  }
}

export function uuidFor(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function streamOf(event: LedgerEvent): string {
  const d = event.data as { customerKey?: string; partnerId?: string | null };
  if ('customerKey' in d && d.customerKey) return `customer-${d.customerKey}`;
  return `partner-${String(d.partnerId)}`;
}
