// A partner sees only its own claims (issue #19 item 1). A partner that registers a deal on any
// customer name (a free claim) must not learn, from any answer, the other claims on that customer:
// their deal ids, partners, stages, or the customer's name as another partner spelled it. Of the
// others it learns only what the programme lets it know (src/domain/partner-view.ts): that another
// claim owns the customer, since when, and from when its own claim could be transferred (the
// policy's idle window after the owner's last progress). Nor does it get ledger-wide figures: no
// global log position in any answer, no event counts in the timeline. Managers, finance and
// auditors see what they saw before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, call, get, post, startApiServer } from './support/server.js';

/** The owner's spelling (partner P-001, registered by a manager) and the free claimer's (P-002). */
const OWNER_SPELLING = 'NINGBO RUICHI LOGISTICS CO., LTD.';
const FREE_SPELLING = 'Ningbo Ruichi Logistics';
const OWNER_REGISTERED_AT = '2025-02-03T02:00:00.000Z';
const OWNER_LAST_PROGRESS_AT = '2025-02-20T02:00:00.000Z';
/** The default policy's idle window (28 days) after the owner's last progress. */
const TRANSFERABLE_FROM = '2025-03-20T02:00:00.000Z';

let server: ApiServer;
let customerKey: string;

beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Northwind Telecom', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  const owner = await command(server, '/deals', 'manager', { dealId: 'D-OWN', partnerId: 'P-001', customer: { name: OWNER_SPELLING }, occurredAt: OWNER_REGISTERED_AT });
  customerKey = owner.customerKey;
  await command(server, '/deals/D-OWN/stage', 'manager', { stage: 'meeting', occurredAt: OWNER_LAST_PROGRESS_AT });
  // Statement material for P-001 (a signed customer with cash in 2025-Q1).
  await command(server, '/deals', 'manager', { dealId: 'D-STMT', partnerId: 'P-001', customer: { name: 'Statement Material Co' }, occurredAt: '2025-01-10T02:00:00Z' });
  await command(server, '/deals/D-STMT/stage', 'manager', { stage: 'signed', occurredAt: '2025-02-01T02:00:00Z' });
  await command(server, '/payments', 'finance', { paymentId: 'PAY-S', dealId: 'D-STMT', line: 'port', amount: 1_000_000, occurredAt: '2025-02-15T02:00:00Z' });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const head = async (): Promise<number> => (await get(server, '/health', 'auditor')).body.position as number;
const ownershipPath = () => `/customers/${encodeURIComponent(customerKey)}/ownership`;

/** Nothing of the owning claim (P-001's D-OWN at stage meeting, spelled its way) in a P-002 answer. */
function expectNothingOfTheOwner(what: string, body: unknown): void {
  const text = JSON.stringify(body);
  for (const secret of ['D-OWN', 'P-001', OWNER_SPELLING, 'meeting', '华东通信']) expect(text, `${what} shows ${secret}: ${text}`).not.toContain(secret);
}

/** No global log position anywhere in an answer. */
function expectNoLogPosition(what: string, body: unknown): void {
  const text = JSON.stringify(body);
  expect(text, `${what}: ${text.slice(0, 400)}`).not.toMatch(/"(position|sourcePosition|headPosition|positions|readModelPosition)":/);
}

describe('a free claim on a customer another partner owns', () => {
  it('POST /deals answers its own claim and, of the owner, only since when and when its claim could be transferred; no position; a replay answers the same', async () => {
    const body = { dealId: 'D-FREE', partnerId: 'P-002', customer: { name: FREE_SPELLING } };
    const first = await post(server, '/deals', 'partner2', body, { 'Idempotency-Key': 'free-claim-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.customerKey).toBe(customerKey);
    expect(first.body.ownership).toEqual({
      ownerDealId: null,
      ownerPartnerId: null,
      status: 'competing',
      owner: 'other',
      ownerSince: OWNER_REGISTERED_AT,
      transferableFrom: TRANSFERABLE_FROM,
    });
    expect(first.body.rule).toBe('first-registration');
    expect(first.body).not.toHaveProperty('position');
    expectNothingOfTheOwner('POST /deals', first.body);
    expectNoLogPosition('POST /deals', first.body);
    const replay = await post(server, '/deals', 'partner2', body, { 'Idempotency-Key': 'free-claim-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  it("a manager's POST /deals answer is unchanged: the owner named, the position given", async () => {
    const answer = await command(server, '/deals', 'manager', { dealId: 'D-DIRECT', partnerId: 'direct', customer: { name: OWNER_SPELLING } });
    expect(answer.ownership).toEqual({ ownerDealId: 'D-OWN', ownerPartnerId: 'P-001', status: 'competing' });
    expect(answer.position).toEqual(expect.any(Number));
  });

  it('GET /customers/:key/ownership: its own claims in full; of the others only that another claim owns it, since when, and when its claim could be transferred', async () => {
    const answer = await get(server, ownershipPath(), 'partner2');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      customerKey,
      customerName: FREE_SPELLING,
      owner: 'other',
      ownerDealId: null,
      ownerPartnerId: null,
      ownerSince: OWNER_REGISTERED_AT,
      transferableFrom: TRANSFERABLE_FROM,
      rule: 'first-registration',
      explanation: expect.stringContaining(TRANSFERABLE_FROM),
      claims: [{ dealId: 'D-FREE', partnerId: 'P-002', channel: 'partner', registeredAt: expect.any(String), recordedAt: expect.any(String), stage: null, status: 'competing' }],
    });
    expectNothingOfTheOwner('GET ownership', answer.body);
    expect(JSON.stringify(answer.body), 'the direct sales claim').not.toContain('D-DIRECT');
  });

  it('the owning partner learns nothing of the competing claims: its own claim, owner "self"', async () => {
    const answer = await get(server, ownershipPath(), 'partner1');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ owner: 'self', ownerDealId: 'D-OWN', ownerPartnerId: 'P-001', ownerSince: OWNER_REGISTERED_AT, transferableFrom: null, rule: 'first-registration', customerName: OWNER_SPELLING });
    expect(answer.body.claims.map((c: { dealId: string }) => c.dealId)).toEqual(['D-OWN']);
    const text = JSON.stringify(answer.body);
    for (const secret of ['D-FREE', 'D-DIRECT', 'P-002', FREE_SPELLING, 'direct']) expect(text, secret).not.toContain(secret);
  });

  it("managers and auditors still see every claim with its partner, deal and stage", async () => {
    for (const token of ['manager', 'auditor'] as const) {
      const answer = (await get(server, ownershipPath(), token)).body;
      expect(answer).toMatchObject({ ownerDealId: 'D-OWN', ownerPartnerId: 'P-001', rule: 'first-registration' });
      expect(answer.claims.map((c: { dealId: string; partnerId: string | null; stage: string | null }) => [c.dealId, c.partnerId, c.stage])).toEqual([
        ['D-OWN', 'P-001', 'meeting'],
        ['D-FREE', 'P-002', null],
        ['D-DIRECT', null, null],
      ]);
    }
  });

  it('advancing the competing claim is refused (422) without naming the owning deal: since when, and transferable from', async () => {
    const before = await head();
    const refused = await post(server, '/deals/D-FREE/stage', 'partner2', { stage: 'interest' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body).toMatchObject({ rule: 'only-owner-advances', figures: { dealId: 'D-FREE', ownerSince: OWNER_REGISTERED_AT, transferableFrom: TRANSFERABLE_FROM } });
    expect(Object.keys(refused.body.figures).sort()).toEqual(['dealId', 'ownerSince', 'transferableFrom']);
    expect(refused.body.detail).toContain(TRANSFERABLE_FROM);
    expectNothingOfTheOwner('422', refused.body);
    // A manager is still told which deal owns it.
    const managers = await post(server, '/deals/D-FREE/stage', 'manager', { stage: 'interest' });
    expect(managers.status).toBe(422);
    expect(managers.body.detail).toContain('deal D-OWN owns it');
    expect(managers.body.figures).toMatchObject({ ownerDealId: 'D-OWN' });
    expect(await head(), 'nothing written').toBe(before);
  });

  it('closing its own claim answers without naming the owner, before or after the close', async () => {
    await post(server, '/deals', 'partner2', { dealId: 'D-FREE-2', partnerId: 'P-002', customer: { name: FREE_SPELLING } });
    const closed = await post(server, '/deals/D-FREE-2/stage', 'partner2', { stage: 'lost', reason: 'duplicate' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    expect(closed.body.ownership).toEqual({
      ownerDealId: null,
      ownerPartnerId: null,
      status: 'lost',
      rule: 'first-registration',
      owner: 'other',
      ownerSince: OWNER_REGISTERED_AT,
      transferableFrom: TRANSFERABLE_FROM,
    });
    expect(closed.body).not.toHaveProperty('position');
    expectNothingOfTheOwner('stage lost', closed.body);

    // An owner that gives up learns nothing of the claim ownership passes to.
    const mine = await command(server, '/deals', 'partner1', { dealId: 'D-P1-FIRST', partnerId: 'P-001', customer: { name: 'Second Contest Ltd' } });
    await command(server, '/deals', 'partner2', { dealId: 'D-P2-NEXT', partnerId: 'P-002', customer: { name: 'SECOND CONTEST' } });
    const lost = await post(server, '/deals/D-P1-FIRST/stage', 'partner1', { stage: 'lost' });
    expect(lost.status, JSON.stringify(lost.body)).toBe(201);
    expect(lost.body).toMatchObject({ dealId: 'D-P1-FIRST', customerKey: mine.customerKey, stage: 'lost' });
    expect(lost.body.ownership).toMatchObject({ ownerDealId: null, ownerPartnerId: null, status: 'lost', owner: 'other', transferableFrom: null });
    const text = JSON.stringify(lost.body);
    for (const secret of ['D-P2-NEXT', 'P-002', 'SECOND CONTEST']) expect(text, secret).not.toContain(secret);
  });

  it('GET /reports/conflicts: a partner sees the customers it claims that another claim owns, under its own spelling, and not the ones it owns', async () => {
    const partner2 = (await get(server, '/reports/conflicts', 'partner2')).body;
    const row = partner2.customers.find((c: { customerKey: string }) => c.customerKey === customerKey);
    expect(row).toMatchObject({ customerName: FREE_SPELLING, owner: 'other', ownerDealId: null, ownerPartnerId: null, ownerSince: OWNER_REGISTERED_AT, transferableFrom: TRANSFERABLE_FROM });
    expect(row.claims.map((c: { dealId: string }) => c.dealId).sort()).toEqual(['D-FREE', 'D-FREE-2']);
    expectNothingOfTheOwner('conflicts', partner2);
    expect(JSON.stringify(partner2)).not.toContain('D-DIRECT');

    const partner1 = (await get(server, '/reports/conflicts', 'partner1')).body;
    expect(partner1.customers.map((c: { customerKey: string }) => c.customerKey), 'a customer it owns is not its conflict').not.toContain(customerKey);
    const text = JSON.stringify(partner1);
    for (const secret of ['D-FREE', 'D-DIRECT', 'D-P2-NEXT', 'P-002', FREE_SPELLING, 'SECOND CONTEST']) expect(text, secret).not.toContain(secret);

    const manager = (await get(server, '/reports/conflicts', 'manager')).body;
    const managersRow = manager.customers.find((c: { customerKey: string }) => c.customerKey === customerKey);
    expect(managersRow).toMatchObject({ ownerDealId: 'D-OWN', ownerPartnerId: 'P-001' });
    expect(managersRow.claims).toHaveLength(4);
  });
});

describe("no ledger-wide figures in a partner's answers", () => {
  it('GET /partners/:id: tier history steps carry no log position (a manager still gets them)', async () => {
    const partner = (await get(server, '/partners/P-001', 'partner1')).body;
    expect(partner.tierHistory.length).toBeGreaterThan(0);
    expectNoLogPosition('GET /partners/P-001', partner);
    expect((await get(server, '/partners/P-001', 'manager')).body.tierHistory[0].position).toEqual(expect.any(Number));
  });

  it('GET /statements/:partnerId/:quarter: lines carry no log position (finance still gets them)', async () => {
    const statement = (await get(server, '/statements/P-001/2025-Q1', 'partner1')).body;
    expect(statement.lines.length).toBeGreaterThan(0);
    expect(statement.lines[0]).toMatchObject({ paymentId: 'PAY-S', sourceEventId: expect.any(String) });
    expectNoLogPosition('statement', statement);
    expect((await get(server, '/statements/P-001/2025-Q1', 'finance')).body.lines[0].position).toEqual(expect.any(Number));
  });

  it("GET /partners/:id/rebates: the answer's cut carries no log position", async () => {
    const rebates = await get(server, '/partners/P-001/rebates', 'partner1', { year: '2025' });
    expect(rebates.status, JSON.stringify(rebates.body)).toBe(200);
    expect(rebates.body.cut).toMatchObject({ asOf: null, validAt: null });
    expectNoLogPosition('rebates', rebates.body);
  });

  it('stage answers carry no position', async () => {
    const own = await command(server, '/deals', 'partner1', { dealId: 'D-P1-SOLO', partnerId: 'P-001', customer: { name: 'Solo Customer Co' } });
    expectNoLogPosition('POST /deals (owner)', own);
    const advanced = await command(server, '/deals/D-P1-SOLO/stage', 'partner1', { stage: 'interest' });
    expect(advanced.ownership).toMatchObject({ ownerDealId: 'D-P1-SOLO', ownerPartnerId: 'P-001', status: 'owner', owner: 'self', rule: 'first-registration' });
    expectNoLogPosition('POST /deals/:id/stage', advanced);
  });

  it("GET /reports/timeline: the partner's own events counted, no head position; the span starts at its own signing", async () => {
    type FeedEvent = { type: string; stream: string; recordedAt: string; data: Record<string, unknown> };
    const feed = (await get(server, '/events', 'auditor', { from: '1', limit: '1000' })).body.events as FeedEvent[];
    /** Its partner stream and the events of its own claims (registration, stages, loss, transfer, ruling). */
    const ownEvents = (partnerId: string): FeedEvent[] => {
      const deals = new Set(feed.filter((e) => e.type === 'DealRegistered' && e.data.partnerId === partnerId).map((e) => e.data.dealId));
      const claimTypes = new Set(['DealRegistered', 'DealStageAdvanced', 'DealLost', 'DealTransferred', 'OwnershipRuled']);
      return feed.filter((e) => e.stream === `partner-${partnerId}` || (claimTypes.has(e.type) && [e.data.dealId, e.data.fromDealId, e.data.toDealId, e.data.ownerDealId].some((id) => deals.has(id))));
    };
    for (const [token, partnerId] of [['partner1', 'P-001'], ['partner2', 'P-002']] as const) {
      const own = ownEvents(partnerId);
      const timeline = await get(server, '/reports/timeline', token);
      expect(timeline.status).toBe(200);
      expect(Object.keys(timeline.body).sort(), JSON.stringify(timeline.body)).toEqual(['events', 'firstRecordedAt', 'knownEvents', 'lastRecordedAt', 'timeZone']);
      expect(timeline.body).toMatchObject({ events: own.length, knownEvents: own.length, firstRecordedAt: own[0]!.recordedAt });
      expect(timeline.body.events).toBeLessThan(feed.length);
      const atSigning = (await get(server, '/reports/timeline', token, { asOf: own[0]!.recordedAt })).body;
      expect(atSigning).toMatchObject({ events: own.length, knownEvents: 1 });
    }
    const managers = (await get(server, '/reports/timeline', 'manager')).body;
    expect(managers).toMatchObject({ events: feed.length, knownEvents: feed.length, firstRecordedAt: feed[0]!.recordedAt });
    expect(Number(managers.headPosition)).toBe(feed.length);
  });
});

describe('what stays as it was', () => {
  it('the OpenAPI document is the same for a partner as for anyone (its schemas name positions)', async () => {
    const anonymous = await call(server, 'GET', '/openapi.json');
    const partner = await call(server, 'GET', '/openapi.json', { token: 'partner2' });
    expect(partner.status).toBe(200);
    expect(partner.body).toEqual(anonymous.body);
  });
});

describe('a partner without a claim', () => {
  it('is refused the ownership of a customer it does not claim, whatever the spelling', async () => {
    const other = await call(server, 'GET', `/customers/${encodeURIComponent('Solo Customer Co')}/ownership`, { token: 'partner2' });
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain('D-P1-SOLO');
  });
});
