// A test oracle, not run by the ledger: the naive fold of every deal over the whole log, which
// the property tests (test/unit/projections) compare the pipeline projection's answers against
// (projections/pipeline.ts).
import type { EventEnvelope } from '../../src/domain/events.js';
import { applyDealFact, dealFactOf, type DealView } from '../pipeline.js';

export type PipelineState = ReadonlyMap<string, DealView>;
export const initialPipeline = (): PipelineState => new Map();

export function evolvePipeline(state: PipelineState, e: EventEnvelope): PipelineState {
  const fact = dealFactOf(e);
  if (!fact) return state;
  const next = new Map(state);
  applyDealFact(next, fact);
  return next;
}
