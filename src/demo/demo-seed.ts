// The demo data set on an empty ledger (`npm start`, LEDGER_DEMO not off): the demo generator
// (src/demo) at a small size, through the real command functions: gold, silver and standard
// partners (one under a gold parent at least, a wholesale-voice reseller), claims with ties,
// transfers, rulings and lost deals, weekly stages, cash, refunds, the reseller's traffic bills
// and settlements, the rebate programme (a distributor and value-added agents, one locked to
// it, commitments, purchases, rebate evaluations and payments), payouts and evaluations over
// the last six complete quarters. P-001 (the generated partner token's id) is a gold partner.
import { generateDemo, openDemoDataDir, SimulatedClock, type DemoSummary } from './generate.js';
import { lastCompleteQuarter } from './plan.js';
import type { Policy } from '../domain/policy.js';
import type { Ledger } from '../ledger/ledger.js';

/** The built-in size: a living programme that loads in a few seconds. */
export const DEMO_SEED_OPTIONS = { seed: 2005, partners: 10, customers: 240, quarters: 6 } as const;

function seedOptions(policy: Policy, nowMs: number) {
  return { ...DEMO_SEED_OPTIONS, lastQuarter: lastCompleteQuarter(nowMs, policy.timeZone) };
}

/**
 * Loads the demo programme into an open ledger; refuses a non-empty log. The ledger's store
 * keeps its own clock, so every event is recorded now about business times in the past (a
 * back-fill); seedDemoDataDir() records them along the programme's own timeline instead.
 */
export async function loadDemoSeed(ledger: Ledger): Promise<{ events: number }> {
  const nowMs = Date.parse(ledger.nowIso());
  const summary = await generateDemo(seedOptions(ledger.policy, nowMs), {
    store: ledger.store,
    lookups: ledger.readSide.lookups,
    policy: ledger.policy,
    clock: new SimulatedClock(),
  });
  return { events: summary.events };
}

/**
 * Generates the demo programme into an empty data directory before a server opens it, with
 * recordedAt following the programme (so the report page's timeline slider has a history).
 * Returns null, writing nothing, when the directory's log already holds events.
 */
export async function seedDemoDataDir(dataDir: string, policy: Policy, nowMs: number): Promise<DemoSummary | null> {
  let sink;
  try {
    sink = await openDemoDataDir(dataDir, policy);
  } catch (error) {
    if (error instanceof Error && error.name === 'DemoRefused') return null;
    throw error;
  }
  try {
    return await generateDemo(seedOptions(policy, nowMs), sink);
  } finally {
    await sink.close();
  }
}
