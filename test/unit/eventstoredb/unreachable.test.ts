// A real connection attempt to a port where nothing listens (no server faked): the adapter
// answers StoreUnavailable naming the host(s), never the credentials.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/store/event-store.js';
import { openEventStore } from '../../../src/store/open-store.js';

async function openError(connectionString: string): Promise<Error> {
  const error = await openEventStore({ EVENTSTORE_CONNECTION_STRING: connectionString }).then(
    async (store) => {
      await store.close();
      throw new Error(`expected ${connectionString} to be unreachable`);
    },
    (e: unknown) => e as Error,
  );
  return error;
}

describe('opening EventStoreDB when the cluster cannot be reached', () => {
  it('names the single host, masks the credentials', async () => {
    const error = await openError('esdb://ledger:s3cret-pw@127.0.0.1:1?tls=false');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/^EventStoreDB at 127\.0\.0\.1:1 is unavailable \(connect\)/);
    expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).not.toMatch(/s3cret/);
  });

  it('names every host of a cluster whose gossip discovery gives up', async () => {
    const error = await openError('esdb://ledger:s3cret-pw@127.0.0.1:1,127.0.0.1:2?tls=false&maxDiscoverAttempts=1&discoveryInterval=10');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/EventStoreDB at 127\.0\.0\.1:1, 127\.0\.0\.1:2 is unavailable/);
    expect(error.message).not.toMatch(/s3cret/);
  });

  it('refuses a connection string that is not esdb://, without echoing its password', async () => {
    const error = await openError('https://ledger:s3cret-pw@127.0.0.1:1');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain('https://***@127.0.0.1:1');
    expect(error.message).not.toMatch(/s3cret/);
  });
});
