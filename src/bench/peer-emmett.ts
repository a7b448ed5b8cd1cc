// The peer for `ledger bench peers`: the same workload shape as `ledger bench commands`, written
// the way Emmett (@event-driven-io/emmett with @event-driven-io/emmett-sqlite, devDependencies)
// is meant to be used: a CommandHandler per stream type that reads the stream, folds it with
// `evolve`, runs the decision and appends with the version it read. Partner streams take a
// signing and deposits; a deal goes on a new customer stream after reading its partner's stream.
//
// One file database in WAL mode with synchronous=FULL (set explicitly: every acknowledged
// command is fsynced), one connection. emmett-sqlite's own pool opens a connection per
// operation for a file and sets no busy timeout, so with 64 commands in flight most failed
// with SQLITE_BUSY when tried; one connection shared by concurrent handlers would interleave
// their transactions (its transaction nesting is per connection). So commands run one at a
// time on the connection (a mutex): that is what the peer can do durably, and what it costs.
// No read model is written (the ledger writes its read models before answering).
//
// Loaded at run time: a build without the devDependencies reports the peer as not installed.

export interface PeerApp {
  signPartner(partnerId: string): Promise<void>;
  postDeposit(partnerId: string, amountFen: number): Promise<{ depositFen: number }>;
  registerDeal(dealId: string, partnerId: string, customerName: string): Promise<{ customerKey: string }>;
  close(): Promise<void>;
}

interface PartnerState {
  signed: boolean;
  depositFen: number;
}

interface CustomerState {
  deals: string[];
}

type PartnerEvent =
  | { type: 'PartnerSigned'; data: { partnerId: string } }
  | { type: 'DepositPosted'; data: { partnerId: string; amountFen: number } };
type CustomerEvent = { type: 'DealRegistered'; data: { dealId: string; partnerId: string; customerKey: string; name: string } };

const evolvePartner = (s: PartnerState, e: PartnerEvent): PartnerState => {
  switch (e.type) {
    case 'PartnerSigned':
      return { ...s, signed: true };
    case 'DepositPosted':
      return { ...s, depositFen: s.depositFen + e.data.amountFen };
    default:
      return s;
  }
};

const evolveCustomer = (s: CustomerState, e: CustomerEvent): CustomerState => (e.type === 'DealRegistered' ? { deals: [...s.deals, e.data.dealId] } : s);

/** Why the peer cannot run here (not installed, or its native sqlite3 did not build), or null. */
export async function peerUnavailable(): Promise<string | null> {
  try {
    await import('@event-driven-io/emmett');
    await import('@event-driven-io/emmett-sqlite');
    return null;
  } catch (error) {
    return `Emmett is not installed here (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); it is a devDependency: npm ci`;
  }
}

/** A one-at-a-time gate: the next command starts when the one before has answered. */
function serially(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function openPeerApp(file: string): Promise<PeerApp> {
  const { CommandHandler } = await import('@event-driven-io/emmett');
  const { getSQLiteEventStore, sqliteConnection, SQLiteConnectionPool } = await import('@event-driven-io/emmett-sqlite');
  const connection = sqliteConnection({ fileName: file });
  await connection.command('PRAGMA journal_mode = WAL');
  await connection.command('PRAGMA synchronous = FULL');
  await connection.command('PRAGMA busy_timeout = 5000');
  const pool = SQLiteConnectionPool({ fileName: file, connectionOptions: { singleton: true, connection } });
  const store = getSQLiteEventStore({ fileName: file, pool, schema: { autoMigration: 'CreateOrUpdate' } });
  const partners = CommandHandler<PartnerState, PartnerEvent>({ evolve: evolvePartner, initialState: () => ({ signed: false, depositFen: 0 }) });
  const customers = CommandHandler<CustomerState, CustomerEvent>({ evolve: evolveCustomer, initialState: () => ({ deals: [] }) });
  const gate = serially();
  return {
    signPartner: (partnerId) =>
      gate(async () => {
        await partners(store, `partner-${partnerId}`, (s) => {
          if (s.signed) throw new Error(`partner ${partnerId} is already signed`);
          return [{ type: 'PartnerSigned', data: { partnerId } }];
        });
      }),
    postDeposit: (partnerId, amountFen) =>
      gate(async () => {
        const result = await partners(store, `partner-${partnerId}`, (s) => {
          if (!s.signed) throw new Error(`partner ${partnerId} is not signed`);
          if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new Error('the amount must be positive whole fen');
          return [{ type: 'DepositPosted', data: { partnerId, amountFen } }];
        });
        return { depositFen: result.newState.depositFen };
      }),
    registerDeal: (dealId, partnerId, customerName) =>
      gate(async () => {
        const partner = await store.aggregateStream(`partner-${partnerId}`, { evolve: evolvePartner, initialState: () => ({ signed: false, depositFen: 0 }) });
        if (!partner.state.signed) throw new Error(`partner ${partnerId} is not signed`);
        const customerKey = customerName.trim().toLowerCase().replace(/\s+/g, ' ');
        await customers(store, `customer-${customerKey}`, (s) => {
          if (s.deals.includes(dealId)) throw new Error(`deal ${dealId} is already registered`);
          return [{ type: 'DealRegistered', data: { dealId, partnerId, customerKey, name: customerName } }];
        });
        return { customerKey };
      }),
    close: async () => {
      await gate(async () => undefined);
      connection.close();
    },
  };
}
