// Crash: `ledger serve` in a child process (the SWC build of support/child-server.ts) serves a
// mixed load of real commands from several concurrent clients and is killed with SIGKILL at a
// random moment, again and again (20 times in CI, 200 with LEDGER_STRESS=1). After each restart:
// - the client retries, with the same Idempotency-Key, every command whose answer it never saw;
// - every command the client saw acknowledged is in the log with all of its events, every
//   refused one wrote nothing, and none is half-written (all of its events or none);
// - the hash chain verifies (the store's verify, the check `ledger verify` runs; the command
//   itself runs once at the end);
// - the restarted server's projections answer exactly what a fresh replay of the same log does.
// The seed is printed; LEDGER_CRASH_SEED=<n> repeats a run's choices (not its timing).
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandIdFor } from '../../src/app/http/request-context.js';
import { Prng } from '../../src/demo/prng.js';
import { sqliteFileFor } from '../../src/store/open-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { buildLedger, type ChildServer, runLedger, startChildServer } from './support/child-server.js';
import { allTokens, api, type DataDir, type FeedEvent, newDataDir, readLog, startInProcess, tokens } from './support/ledger-server.js';

const STRESS = process.env.LEDGER_STRESS === '1';
const KILLS = Number(process.env.LEDGER_CRASH_KILLS ?? (STRESS ? 200 : 20));
const CLIENTS = 6;
const PARTNERS = ['P-001', 'P-002'] as const;
const partnerTokens: Record<(typeof PARTNERS)[number], string> = { 'P-001': tokens.partner1, 'P-002': tokens.partner2 };
const KILL_AFTER_MS = { min: 40, max: 700 } as const;
const SEED = Number(process.env.LEDGER_CRASH_SEED ?? Date.now() % 1_000_000_007);

type Outcome = 'acked' | 'refused' | 'unknown';

interface Sent {
  key: string;
  commandId: string;
  route: string;
  token: string;
  body: Record<string, unknown>;
  /** The event types the command writes when it succeeds, in order. */
  events: string[];
  outcome: Outcome;
  status: number | null;
  retried: boolean;
}

interface Deal {
  dealId: string;
  partnerId: string;
  customerKey: string;
  signed: boolean;
}

interface Payment {
  paymentId: string;
  amountFen: number;
  refundedFen: number;
}

const digestOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The client side of the load: what it sent, what it saw, and what it may build on. */
class Client {
  readonly sent = new Map<string, Sent>();
  readonly deals: Deal[] = [];
  readonly payments: Payment[] = [];
  readonly fiveHundreds: string[] = [];
  private counter = 0;

  constructor(private readonly rng: Prng) {}

  private nextId(prefix: string): string {
    return `${prefix}-${(++this.counter).toString(36)}`;
  }

  /** Sends a command with a fresh Idempotency-Key; the outcome is what the client saw. */
  async send(url: string, route: string, token: string, body: Record<string, unknown>, events: string[]): Promise<Sent> {
    const key = this.nextId('k');
    const entry: Sent = { key, commandId: commandIdFor(digestOf(token), key), route, token, body, events, outcome: 'unknown', status: null, retried: false };
    this.sent.set(key, entry);
    await this.deliver(url, entry);
    return entry;
  }

  /** One attempt: 2xx acked, 4xx refused, a lost connection unknown; a 5xx is recorded as a failure. */
  async deliver(url: string, entry: Sent): Promise<void> {
    let status: number;
    try {
      status = (await api(url, 'POST', entry.route, { token: entry.token, body: entry.body, headers: { 'Idempotency-Key': entry.key } })).status;
    } catch {
      return; // the server died under the request: the outcome stays unknown
    }
    entry.status = status;
    if (status >= 500) this.fiveHundreds.push(`${entry.route} ${JSON.stringify(entry.body)} → ${status}`);
    entry.outcome = status >= 200 && status < 300 ? 'acked' : status >= 400 && status < 500 ? 'refused' : 'unknown';
  }

  /** One client's loop: a random command at a time until the server stops answering. */
  async run(url: string): Promise<void> {
    for (let step = 0; step < 100_000; step++) {
      const entry = await this.randomCommand(url);
      if (entry.outcome === 'unknown') return;
    }
  }

  private async randomCommand(url: string): Promise<Sent> {
    const signed = this.deals.filter((d) => d.signed);
    const open = this.deals.filter((d) => !d.signed);
    const refundable = this.payments.filter((p) => p.refundedFen < p.amountFen);
    const kind = this.rng.weighted({
      register: 30,
      sign: open.length > 0 ? 20 : 0,
      pay: signed.length > 0 ? 25 : 0,
      refund: refundable.length > 0 ? 10 : 0,
      deposit: 15,
    });
    switch (kind) {
      case 'register': {
        const partnerId = this.rng.pick(PARTNERS);
        const byPartner = this.rng.chance(0.5);
        const dealId = this.nextId('D');
        const name = `Crash Customer ${dealId}`;
        const entry = await this.send(url, '/deals', byPartner ? partnerTokens[partnerId] : tokens.manager, { dealId, partnerId, customer: { name } }, ['DealRegistered']);
        if (entry.outcome === 'acked') this.deals.push({ dealId, partnerId, customerKey: '', signed: false });
        return entry;
      }
      case 'sign': {
        const deal = this.rng.pick(open);
        const entry = await this.send(url, `/deals/${deal.dealId}/stage`, tokens.manager, { stage: 'signed' }, ['DealStageAdvanced']);
        if (entry.outcome === 'acked') deal.signed = true;
        return entry;
      }
      case 'pay': {
        const deal = this.rng.pick(signed);
        const paymentId = this.nextId('PAY');
        const amountFen = this.rng.int(10_000, 2_000_000);
        const line = this.rng.pick(['port', 'conference'] as const);
        const entry = await this.send(url, '/payments', tokens.finance, { paymentId, dealId: deal.dealId, line, amount: amountFen }, ['PaymentReceived', 'CommissionAccrued']);
        if (entry.outcome === 'acked') this.payments.push({ paymentId, amountFen, refundedFen: 0 });
        return entry;
      }
      case 'refund': {
        const payment = this.rng.pick(refundable);
        const amountFen = this.rng.int(1, payment.amountFen - payment.refundedFen);
        const entry = await this.send(url, '/refunds', tokens.finance, { refundId: this.nextId('REF'), paymentId: payment.paymentId, amount: amountFen, reason: 'crash test' }, [
          'RefundIssued',
          'CommissionClawedBack',
        ]);
        if (entry.outcome === 'acked') payment.refundedFen += amountFen;
        return entry;
      }
      case 'deposit': {
        const partnerId = this.rng.pick(PARTNERS);
        return this.send(url, `/partners/${partnerId}/deposits`, tokens.finance, { amount: this.rng.int(1, 5_000_000) }, ['DepositPosted']);
      }
    }
  }
}

/**
 * ANSWER_LOST (a known defect, see the 'retry after a lost answer' spec below): a command whose
 * events were written but whose answer and idempotency record were lost to the kill is refused
 * (409/422, "already recorded") when the client retries it with the same key, because the
 * command is decided again instead of being recognised by its command id. Such a command is
 * whole in the log; it is counted, not failed, here.
 */
const answerLost = new Set<string>();

/** Every command the client sent, checked against the log. */
function checkCommandsAgainstLog(log: FeedEvent[], sent: ReadonlyMap<string, Sent>): void {
  const byCommand = new Map<string, FeedEvent[]>();
  for (const event of log) {
    if (event.commandId === null) continue;
    const group = byCommand.get(event.commandId) ?? [];
    group.push(event);
    byCommand.set(event.commandId, group);
  }
  const known = new Set<string>();
  for (const entry of sent.values()) {
    known.add(entry.commandId);
    const group = byCommand.get(entry.commandId) ?? [];
    const what = `${entry.route} ${JSON.stringify(entry.body)} (${entry.outcome}${entry.retried ? ', retried' : ''})`;
    if (entry.outcome === 'acked') expect(group.map((e) => e.type), `acknowledged but not all in the log: ${what}`).toEqual(entry.events);
    if (entry.outcome === 'refused' && !entry.retried) expect(group, `refused but written: ${what}`).toEqual([]);
    if (entry.outcome === 'refused' && entry.retried && group.length > 0) answerLost.add(entry.key);
    if (entry.outcome === 'unknown') expect([0, entry.events.length], `half-written: ${what}`).toContain(group.length);
    if (group.length > 0) {
      expect(group.map((e) => e.type), what).toEqual(entry.events);
      const stream = group[0]!.stream;
      group.forEach((e, i) => {
        expect(e.stream, what).toBe(stream);
        expect(e.revision, what).toBe(group[0]!.revision + i);
        expect(e.position, what).toBe(group[0]!.position + i);
      });
    }
  }
  for (const commandId of byCommand.keys()) expect(known.has(commandId), `an event no client sent: command ${commandId}`).toBe(true);
}

/** The reads compared between the restarted server and a fresh replay. */
function readsFor(client: Client): string[] {
  const shanghai = new Date(Date.now() + 8 * 3_600_000);
  const quarter = `${shanghai.getUTCFullYear()}-Q${Math.floor(shanghai.getUTCMonth() / 3) + 1}`;
  const routes = ['/tiers', '/reports/pipeline'];
  for (const p of PARTNERS) routes.push(`/partners/${p}`, `/partners/${p}/balance`, `/statements/${p}/${quarter}`);
  for (const deal of client.deals.slice(-12)) routes.push(`/customers/${encodeURIComponent(`Crash Customer ${deal.dealId}`)}/ownership`);
  return routes;
}

const readToken = (route: string): string => (route.startsWith('/statements') ? tokens.finance : route.includes('/balance') ? tokens.finance : tokens.manager);

async function readAll(url: string, routes: string[]): Promise<Array<{ route: string; status: number; body: unknown }>> {
  return Promise.all(
    routes.map(async (route) => {
      const { status, body } = await api(url, 'GET', route, { token: readToken(route) });
      // `at`: the instant a read answers for (now), the only field that differs between two servers.
      if (body !== null && typeof body === 'object' && 'at' in body) delete (body as { at?: unknown }).at;
      return { route, status, body };
    }),
  );
}

/** Waits until the server's read model has applied the whole log (bounded). */
async function caughtUp(url: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const health = await api(url, 'GET', '/health', { token: tokens.auditor });
    if (health.status === 200 && health.body.projectionLag === 0) return health.body.position as number;
    await sleep(25);
  }
  throw new Error('the read model did not catch up within 200 polls');
}

let dir: DataDir;
let child: ChildServer | null = null;
const outputs: string[] = [];

beforeAll(() => {
  buildLedger();
  dir = newDataDir('ledger-crash-');
});
afterAll(async () => {
  if (child) await child.kill('SIGKILL');
  dir?.remove();
});

async function start(): Promise<ChildServer> {
  child = await startChildServer({ dataDir: dir.dataDir, tokensFile: dir.tokensFile, env: { LEDGER_LOG: 'on' } });
  return child;
}

describe(`SIGKILL under load, ${KILLS} times`, () => {
  it('keeps every acknowledged command whole, writes nothing half, verifies, and replays to the same projections', { timeout: STRESS ? 3_600_000 : 300_000 }, async () => {
    console.log(`[crash] seed ${SEED} (LEDGER_CRASH_SEED=${SEED} repeats the choices)`);
    const rng = new Prng(SEED);
    const client = new Client(rng.fork('client'));
    let server = await start();
    for (const partnerId of PARTNERS) {
      const entry = await client.send(server.url, '/partners', tokens.manager, { partnerId, name: `Partner ${partnerId}`, kind: 'relationship', tier: 'gold' }, ['PartnerSigned']);
      expect(entry.outcome).toBe('acked');
    }
    const log: FeedEvent[] = [];
    const figures = { kills: 0, unknownAfterKill: 0, retriedAcked: 0, events: 0, startMs: [] as number[] };

    for (let kill = 1; kill <= KILLS; kill++) {
      const clients = Array.from({ length: CLIENTS }, () => client.run(server.url));
      await sleep(rng.int(KILL_AFTER_MS.min, KILL_AFTER_MS.max));
      const exit = await server.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      outputs.push(server.output());
      await Promise.all(clients);
      figures.kills++;

      const startedMs = performance.now();
      server = await start();
      figures.startMs.push(performance.now() - startedMs);

      // The client retries what it never saw answered, with the same key and body.
      const unknown = [...client.sent.values()].filter((s) => s.outcome === 'unknown' && !s.retried);
      figures.unknownAfterKill += unknown.length;
      for (const entry of unknown) {
        entry.retried = true;
        await client.deliver(server.url, entry);
        if (entry.outcome !== 'acked') continue; // refused: checked against the log (ANSWER_LOST); 5xx: in fiveHundreds
        figures.retriedAcked++;
        if (entry.route === '/deals') client.deals.push({ dealId: String(entry.body.dealId), partnerId: String(entry.body.partnerId), customerKey: '', signed: false });
        if (entry.route === '/payments') client.payments.push({ paymentId: String(entry.body.paymentId), amountFen: Number(entry.body.amount), refundedFen: 0 });
        if (entry.route.endsWith('/stage')) client.deals.find((d) => entry.route === `/deals/${d.dealId}/stage`)!.signed = true;
        if (entry.route === '/refunds') client.payments.find((p) => p.paymentId === entry.body.paymentId)!.refundedFen += Number(entry.body.amount);
      }

      const head = await caughtUp(server.url);
      // The log only grows (the chain verify below proves the prefix unchanged): read what is new.
      log.push(...(await readLog(server.url, 1_000, log.length + 1)));
      expect(log).toHaveLength(head);
      expect(log.at(-1)?.position ?? 0).toBe(head);
      checkCommandsAgainstLog(log, client.sent);
      figures.events = head;

      const store = openSqliteEventStore({ file: sqliteFileFor(dir.dataDir), readOnly: true });
      try {
        const verified = await store.verify();
        expect(verified, `verify after kill ${kill}`).toMatchObject({ ok: true });
        expect(verified.events).toBeGreaterThanOrEqual(head);
      } finally {
        await store.close();
      }

      await expectSameAsFreshReplay(server.url, client, kill);
    }

    await server.kill('SIGTERM');
    outputs.push(server.output());
    child = null;
    const verify = await runLedger(['verify', '--data-dir', dir.dataDir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(new RegExp(`^ok: ${figures.events} events`));

    const everything = outputs.join('\n');
    for (const token of allTokens()) expect(everything).not.toContain(token);
    const acked = [...client.sent.values()].filter((s) => s.outcome === 'acked').length;
    const sortedStart = [...figures.startMs].sort((a, b) => a - b);
    console.log(
      `[crash] ${figures.kills} kills, ${client.sent.size} commands sent, ${acked} acknowledged, ${figures.unknownAfterKill} unanswered at a kill ` +
        `(retried with their keys: ${figures.retriedAcked} acknowledged, ${answerLost.size} refused although written = ANSWER_LOST), ` +
        `${figures.events} events; restart median ${Math.round(sortedStart[Math.floor(sortedStart.length / 2)] ?? 0)} ms`,
    );
    expect(client.fiveHundreds, 'answers 5xx (IDEMPOTENT_REAPPEND_500 when a retried deposit had been written)').toEqual([]);
  });
});

/** The same reads from the restarted server and from a fresh server over a copy of its log. */
async function expectSameAsFreshReplay(url: string, client: Client, kill: number): Promise<void> {
  const routes = readsFor(client);
  const restarted = await readAll(url, routes);
  const fresh = newDataDir('ledger-crash-replay-');
  try {
    const source = new Database(sqliteFileFor(dir.dataDir), { readonly: true });
    try {
      await source.backup(sqliteFileFor(fresh.dataDir));
    } finally {
      source.close();
    }
    const replayed = await startInProcess(fresh);
    try {
      const answers = await readAll(replayed.url, routes);
      for (const [i, answer] of answers.entries()) {
        expect(restarted[i], `kill ${kill}: ${answer.route}`).toEqual(answer);
      }
    } finally {
      await replayed.close();
    }
  } finally {
    fresh.remove();
  }
}

/**
 * The window a kill can hit between a command's events being durable and its answer (and
 * idempotency record) being written, reproduced exactly: the command runs, then its idempotency
 * record is removed, as if the process had died before writing it; the client retries with
 * the same key and body. The retry must answer 2xx and write nothing more.
 *
 * Command handling recognises the command id in the stream (the id derives from the
 * Idempotency-Key) and answers as the run that wrote the events did.
 */
describe('a retry after a lost answer (the kill between the write and the answer)', () => {
  let lost: DataDir;
  let server: Awaited<ReturnType<typeof startInProcess>>;
  beforeAll(async () => {
    lost = newDataDir('ledger-crash-lost-');
    server = await startInProcess(lost);
    await api(server.url, 'POST', '/partners', { token: tokens.manager, body: { partnerId: 'P-001', name: 'Lost Answer Co', kind: 'relationship', tier: 'gold' } });
    await api(server.url, 'POST', '/deals', { token: tokens.manager, body: { dealId: 'D-L0', partnerId: 'P-001', customer: { name: 'Lost Customer' } } });
    await api(server.url, 'POST', '/deals/D-L0/stage', { token: tokens.manager, body: { stage: 'signed' } });
    await api(server.url, 'POST', '/payments', { token: tokens.finance, body: { paymentId: 'PAY-L0', dealId: 'D-L0', line: 'port', amount: 500_000 } });
  });
  afterAll(async () => {
    await server?.close();
    lost?.remove();
  });

  /** Sends with a key, forgets the answer as a kill would, retries; returns both answers and the log growth. */
  async function sendLoseRetry(route: string, token: string, body: unknown) {
    const key = `lost-${route}-${JSON.stringify(body).length}`;
    const first = await api(server.url, 'POST', route, { token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const head = (await readLog(server.url)).length;
    const idempotency = new Database(`${lost.dataDir}/idempotency.db`);
    try {
      expect(idempotency.prepare('DELETE FROM idempotency WHERE key = ?').run(key).changes).toBe(1);
    } finally {
      idempotency.close();
    }
    const retry = await api(server.url, 'POST', route, { token, body, headers: { 'Idempotency-Key': key } });
    return { first, retry, written: (await readLog(server.url)).length - head };
  }

  // The deposit's events re-derive the same ids from the command id, so the store answers the
  // re-append idempotently; those events are already in the loaded state and must not be folded twice.
  it('a deposit: answered 201, nothing written twice', async () => {
    const { retry, written } = await sendLoseRetry('/partners/P-001/deposits', tokens.finance, { amount: 777 });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(written).toBe(0);
  });

  it.each([
    ['a deal registration', '/deals', tokens.manager, { dealId: 'D-L1', partnerId: 'P-001', customer: { name: 'Lost Customer Two' } }],
    ['a payment', '/payments', tokens.finance, { paymentId: 'PAY-L1', dealId: 'D-L0', line: 'conference', amount: 12_345 }],
    ['a refund', '/refunds', tokens.finance, { refundId: 'REF-L1', paymentId: 'PAY-L0', amount: 1_000, reason: 'left early' }],
    ['a partner signing', '/partners', tokens.manager, { partnerId: 'P-002', name: 'Second', kind: 'development', tier: 'silver' }],
  ])('%s: answered 2xx, nothing written twice', async (_name, route, token, body) => {
    const { retry, written } = await sendLoseRetry(route, token, body);
    expect(written).toBe(0);
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
  });
});
