// @ts-check
// "Compare two dates": the differences between two snapshots of the page's figures.

/** @typedef {{ partnerId: string, name?: string | null, tier: string }} TierRow */
/** @typedef {{ partnerId: string, name?: string | null, accrued: number, clawedBack: number, paidOut: number, payable: number, deposit: number, debt: number }} BalanceRow */
/** @typedef {{ partnerId: string | null, deals: number, keyDeals: number, signed: number }} PipelineCount */
/** @typedef {{ tiers: TierRow[], balances: BalanceRow[], pipeline: PipelineCount[] }} Snapshot */
/**
 * @typedef {{ partnerId: string, name: string, field: string, kind: 'text' | 'money' | 'count',
 *   before: string | number | null, after: string | number | null, delta: number | null }} Change
 */

export const moneyFields = /** @type {const} */ (['accrued', 'clawedBack', 'paidOut', 'payable', 'deposit', 'debt']);
export const countFields = /** @type {const} */ (['deals', 'keyDeals', 'signed']);

/**
 * Every figure that differs between two snapshots, partner by partner, in a stable order.
 * @param {Snapshot} before
 * @param {Snapshot} after
 * @returns {Change[]}
 */
export function diffSnapshots(before, after) {
  /** @type {Change[]} */
  const changes = [];
  const names = new Map();
  for (const row of [...before.tiers, ...after.tiers, ...before.balances, ...after.balances]) {
    if (row.name) names.set(row.partnerId, row.name);
  }
  /** @param {string} id */
  const nameOf = (id) => names.get(id) ?? '';

  const tiersBefore = new Map(before.tiers.map((r) => [r.partnerId, r.tier]));
  const tiersAfter = new Map(after.tiers.map((r) => [r.partnerId, r.tier]));
  for (const id of sortedUnion(tiersBefore.keys(), tiersAfter.keys())) {
    const from = tiersBefore.get(id) ?? null;
    const to = tiersAfter.get(id) ?? null;
    if (from !== to) changes.push({ partnerId: id, name: nameOf(id), field: 'tier', kind: 'text', before: from, after: to, delta: null });
  }

  const balancesBefore = new Map(before.balances.map((r) => [r.partnerId, r]));
  const balancesAfter = new Map(after.balances.map((r) => [r.partnerId, r]));
  for (const id of sortedUnion(balancesBefore.keys(), balancesAfter.keys())) {
    for (const field of moneyFields) {
      const from = balancesBefore.get(id)?.[field] ?? 0;
      const to = balancesAfter.get(id)?.[field] ?? 0;
      if (from !== to) {
        const delta = to - from;
        if (!Number.isSafeInteger(delta)) throw new RangeError(`${id} ${field}: the change is not a safe integer`);
        changes.push({ partnerId: id, name: nameOf(id), field, kind: 'money', before: from, after: to, delta });
      }
    }
  }

  const countsBefore = new Map(before.pipeline.map((r) => [r.partnerId ?? 'direct', r]));
  const countsAfter = new Map(after.pipeline.map((r) => [r.partnerId ?? 'direct', r]));
  for (const id of sortedUnion(countsBefore.keys(), countsAfter.keys())) {
    for (const field of countFields) {
      const from = countsBefore.get(id)?.[field] ?? 0;
      const to = countsAfter.get(id)?.[field] ?? 0;
      if (from !== to) changes.push({ partnerId: id, name: nameOf(id), field, kind: 'count', before: from, after: to, delta: to - from });
    }
  }
  return changes;
}

/**
 * @param {Iterable<string>} a
 * @param {Iterable<string>} b
 * @returns {string[]}
 */
function sortedUnion(a, b) {
  return [...new Set([...a, ...b])].sort();
}
