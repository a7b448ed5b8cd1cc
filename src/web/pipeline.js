// @ts-check
// The weekly pipeline as GET /reports/pipeline answers it (projections/pipeline.ts's
// PipelineReport), reduced to what the page shows.

export const pipelineStages = /** @type {const} */ (['registered', 'interest', 'meeting', 'solution', 'trial', 'signed', 'lost']);
/** @typedef {typeof pipelineStages[number]} PipelineStage */

/**
 * @typedef {{ dealId: string, partnerId: string | null, customerKey: string, customerName: string,
 *   stage: string, lastProgressAt: string | null, idleDays: number | null, key: boolean, stale: boolean }} DealRow
 * @typedef {{ partnerId: string | null, counts: Record<PipelineStage, number>, expectedPorts: number, expectedRevenueFen: number }} PartnerRow
 * @typedef {{ partners: PartnerRow[], deals: DealRow[] }} Pipeline
 */

/** The id under which the pipeline lists the direct sales team. */
export const DIRECT_SALES_ID = 'direct';

/**
 * Who owns a conflicts row's customer (GET /reports/conflicts): a partner's answer says only
 * that another claim owns it (`owner: 'other'`, never which), a customer none of whose claims
 * is live has no owner, an owning deal without a partner is the direct sales team's.
 * @param {{ owner?: 'self' | 'other' | 'none', ownerDealId: string | null, ownerPartnerId: string | null }} row
 * @returns {{ kind: 'another' } | { kind: 'none' } | { kind: 'direct' } | { kind: 'partner', partnerId: string }}
 */
export function conflictOwner(row) {
  if (row.owner === 'other') return { kind: 'another' };
  if (row.owner === 'none' || row.ownerDealId === null) return { kind: 'none' };
  if (row.ownerPartnerId === null || row.ownerPartnerId === DIRECT_SALES_ID) return { kind: 'direct' };
  return { kind: 'partner', partnerId: row.ownerPartnerId };
}

/**
 * @param {any} answer
 * @returns {Pipeline}
 */
export function normalisePipeline(answer) {
  const partners = Array.isArray(answer?.partners) ? answer.partners : [];
  /** @type {PartnerRow[]} */
  const rows = [];
  /** @type {DealRow[]} */
  const deals = [];
  for (const partner of partners) {
    const partnerId = partner.partnerId === DIRECT_SALES_ID ? null : (partner.partnerId ?? null);
    const counts = /** @type {Record<PipelineStage, number>} */ (Object.fromEntries(pipelineStages.map((s) => [s, 0])));
    let expectedPorts = 0;
    let expectedRevenueFen = 0;
    for (const summary of partner.byStage ?? []) {
      if (!pipelineStages.includes(summary.stage)) continue;
      counts[/** @type {PipelineStage} */ (summary.stage)] += summary.deals;
      if (summary.stage !== 'lost') {
        expectedPorts += summary.expectedPorts;
        expectedRevenueFen += summary.expectedRevenueFen;
      }
    }
    if (!Number.isSafeInteger(expectedRevenueFen)) throw new RangeError(`${partner.partnerId}: expected revenue is not a safe integer of fen`);
    rows.push({ partnerId, counts, expectedPorts, expectedRevenueFen });
    const seen = new Set();
    for (const deal of [...(partner.keyDeals ?? []), ...(partner.staleClaims ?? [])]) {
      if (seen.has(deal.dealId)) continue;
      seen.add(deal.dealId);
      deals.push({
        dealId: deal.dealId,
        partnerId,
        customerKey: deal.customerKey,
        customerName: deal.customerName ?? deal.customerKey,
        stage: deal.stage,
        lastProgressAt: deal.lastProgressAt ?? null,
        idleDays: deal.idleDays ?? null,
        key: Boolean(deal.key),
        stale: Boolean(deal.stale),
      });
    }
  }
  deals.sort(byStageThenId);
  return { partners: rows, deals };
}

/**
 * Key deals first by stage (furthest first), then by deal id.
 * @param {DealRow} a
 * @param {DealRow} b
 */
function byStageThenId(a, b) {
  const rank = (/** @type {string} */ stage) => pipelineStages.indexOf(/** @type {PipelineStage} */ (stage));
  const stageOrder = rank(b.stage === 'lost' ? 'registered' : b.stage) - rank(a.stage === 'lost' ? 'registered' : a.stage);
  if (stageOrder !== 0) return stageOrder;
  return a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0;
}

/**
 * Per partner: deals, key deals and signed deals, for "compare two dates".
 * @param {Pipeline} pipeline
 * @returns {Array<{ partnerId: string | null, deals: number, keyDeals: number, signed: number }>}
 */
export function pipelineCounts(pipeline) {
  return pipeline.partners.map((row) => ({
    partnerId: row.partnerId,
    deals: pipelineStages.reduce((sum, stage) => sum + row.counts[stage], 0),
    keyDeals: row.counts.solution + row.counts.trial + row.counts.signed,
    signed: row.counts.signed,
  }));
}

/**
 * The ISO week ("2026-W14") of an instant's business date in a time zone: the week whose
 * review GET /reports/weekly is asked for.
 * @param {string} businessDate a date "YYYY-MM-DD"
 * @returns {string}
 */
export function isoWeekOfDate(businessDate) {
  const t = Date.parse(`${businessDate}T00:00:00.000Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  const thursday = new Date(t + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

/**
 * @typedef {{ partnerId: string | null, deals: number, newThisWeek: number, progressed: number, supportNeeded: number,
 *   monthPortForecast: number, monthSalesPorts: number }} WeeklyRow
 * @typedef {{ week: string, review: string, month: string, partners: WeeklyRow[] }} Weekly
 */

/**
 * GET /reports/weekly (src/domain/weekly-report.ts's WeeklyReport) as one row per partner.
 * @param {any} answer
 * @returns {Weekly}
 */
export function normaliseWeekly(answer) {
  const partners = Array.isArray(answer?.partners) ? answer.partners : [];
  const count = (/** @type {unknown} */ list) => (Array.isArray(list) ? list.length : 0);
  return {
    week: String(answer?.week ?? ''),
    review: String(answer?.review ?? ''),
    month: String(answer?.month ?? ''),
    partners: partners.map((/** @type {any} */ p) => ({
      partnerId: p.partnerId === DIRECT_SALES_ID ? null : (p.partnerId ?? null),
      deals: count(p.deals),
      newThisWeek: count(p.newThisWeek),
      progressed: count(p.progressOnEarlier),
      supportNeeded: count(p.supportNeeded),
      monthPortForecast: Number(p.monthPortForecast ?? 0),
      monthSalesPorts: Number(p.monthSales?.ports ?? 0),
    })),
  };
}
