// Policy versions as events (issue #20): a manager adopts a version of the programme's policy
// on the policy stream. The document is checked by the same rules as a policy file
// (src/domain/policy.ts loadPolicy, every problem named); the adoption and the adjustments a
// back-dated version causes are one append (src/domain/policy-adoption.ts). The ledger's
// in-memory history (src/ledger/policy-book.ts) is refreshed after the append.
import { z } from 'zod';
import { isCalendarDate } from '../../domain/instant.js';
import { POLICY_STREAM } from '../../domain/events.js';
import { factOf } from '../../domain/fact.js';
import { commissionLinesOf, decideAdoption, evolvePolicy, initialPolicyState, type LineSourceFact } from '../../domain/policy-adoption.js';
import { loadPolicy, type Policy, PolicyError } from '../../domain/policy.js';
import type { EventStore } from '../../store/event-store.js';
import { defineCommand, handleStreamCommand, metaOf, occurredAtOf, outcome, runningTotalsFrom } from '../command-handling.js';
import { policyBookOf } from '../policy-book.js';
import { FreeText, OccurredAt } from './fields.js';

const PolicyVersionName = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be 1–64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
const EffectiveFrom = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2024-07-01')
  .refine(isCalendarDate, 'must be a calendar date (2026-02-30 is not one)');

interface AdoptionInput {
  version: string;
  effectiveFrom: string;
  document: Record<string, unknown>;
}

/** The document with the body's version and effectiveFrom (named in it or not); the problems when they disagree. */
function documentOf(input: AdoptionInput): { document: Record<string, unknown>; problems: Array<{ path: string; message: string }> } {
  const problems: Array<{ path: string; message: string }> = [];
  for (const field of ['version', 'effectiveFrom'] as const) {
    const named = input.document[field];
    if (named !== undefined && named !== input[field]) problems.push({ path: `document.${field}`, message: `must equal ${field} (${input[field]}), or be left out` });
  }
  return { document: { ...input.document, version: input.version, effectiveFrom: input.effectiveFrom }, problems };
}

/** Every problem of a document, as the policy file check names them, under `document.`. */
export function policyDocumentProblems(input: AdoptionInput): Array<{ path: string; message: string }> {
  const { document, problems } = documentOf(input);
  try {
    loadPolicy(document);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    for (const p of e.problems) {
      const at = p.indexOf(': ');
      const path = at < 0 ? '' : p.slice(0, at);
      problems.push({ path: path === '(root)' || path === '' ? 'document' : `document.${path}`, message: at < 0 ? p : p.slice(at + 2) });
    }
  }
  return problems;
}

export const AdoptPolicyInput = z.strictObject({
    version: PolicyVersionName.meta({ example: '2024.2' }),
    effectiveFrom: EffectiveFrom.meta({ example: '2024-07-01', description: "The first date (in the policy's time zone) the version is in force." }),
    document: z.record(z.string(), z.unknown()).meta({ description: 'The policy document, the shape of a policy file (LEDGER_POLICY_FILE); version and effectiveFrom may be left out.' }),
    reason: FreeText,
    occurredAt: OccurredAt,
  });

/**
 * The document checked as a policy file is (every problem named, a 400 like any invalid field);
 * a plain object schema above, so the route can derive its body from it.
 */
export function requireValidDocument(input: AdoptionInput): Policy {
  const problems = policyDocumentProblems(input);
  if (problems.length > 0) {
    throw new z.ZodError(problems.map((p) => ({ code: 'custom' as const, path: p.path.split('.'), message: p.message, input: undefined })));
  }
  return loadPolicy(documentOf(input).document);
}

/** Every commission line of the log with its figure now (a scan: an adoption is rare). */
async function commissionLinesIn(store: EventStore) {
  const facts: LineSourceFact[] = [];
  for await (const e of store.readAll()) {
    if (e.type === 'PaymentReceived' || e.type === 'CommissionAccrued' || e.type === 'RefundIssued' || e.type === 'CommissionClawedBack' || e.type === 'CommissionAdjusted') {
      facts.push({ ...factOf(e), policyVersion: e.policyVersion });
    }
  }
  return commissionLinesOf(facts);
}

export interface AdjustmentAnswer {
  partnerId: string;
  paymentId: string;
  refundId: string | null;
  lineEventId: string;
  kind: 'accrual' | 'clawback';
  cashAt: string;
  fromVersion: string;
  toVersion: string;
  fromFen: number;
  toFen: number;
  adjustmentFen: number;
}

export const adoptPolicy = defineCommand({
  name: 'adoptPolicy',
  input: AdoptPolicyInput,
  async run(deps, input, ctx) {
    const policy = requireValidDocument(input);
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const { document } = documentOf(input);
    const book = deps.policies ?? policyBookOf(deps.policy);
    await book.refresh(deps.store);
    const lines = await commissionLinesIn(deps.store);
    const configured = { policy: deps.policy, document: deps.policy as unknown as Record<string, unknown> };
    const h = await handleStreamCommand({
      store: deps.store,
      stream: POLICY_STREAM,
      initial: () => initialPolicyState(deps.policy),
      evolve: evolvePolicy,
      meta: metaOf(deps, ctx, occurredAt, policy),
      totals: runningTotalsFrom(deps.lookups),
      decide: (state) => ({
        events: decideAdoption({ policy, document, reason: input.reason }, state, { occurredAt, actor: ctx.actor, configured, lines }),
        answer: (_s, events) => ({
          version: policy.version,
          effectiveFrom: policy.effectiveFrom,
          adopted: events.some((e) => e.type === 'PolicyAdopted' && e.data.version === policy.version),
          adjustments: events.flatMap((e): AdjustmentAnswer[] =>
            e.type === 'CommissionAdjusted'
              ? [
                  {
                    partnerId: e.data.partnerId,
                    paymentId: e.data.paymentId,
                    refundId: e.data.refundId,
                    lineEventId: e.data.lineEventId,
                    kind: e.data.kind,
                    cashAt: e.data.cashAt,
                    fromVersion: e.data.fromVersion,
                    toVersion: e.data.toVersion,
                    fromFen: e.data.fromFen,
                    toFen: e.data.toFen,
                    adjustmentFen: e.data.adjustmentFen,
                  },
                ]
              : [],
          ),
        }),
      }),
    });
    if (h.position !== null) await book.refresh(deps.store);
    return outcome(h.answer, [h]);
  },
});
