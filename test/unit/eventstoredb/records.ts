// What EventStoreDB would hand back for events the adapter wrote: the outgoing JSON data and
// metadata through a JSON round trip (as over the wire), plus what only the server assigns
// (revision, created, $all position). Builds inputs for the codec; no client or server involved.
import type { EventEnvelope } from '../../../src/domain/events.js';
import type { NewEvent } from '../../../src/store/event-store.js';
import { GENESIS_HASH } from '../../../src/store/hash-chain.js';
import { decodeStoredRecord, type StoredRecord } from '../../../src/store/eventstoredb/event-codec.js';
import { chainAppend } from '../../../src/store/eventstoredb/eventstoredb-event-store.js';
import { prepareAppend } from '../../../src/store/eventstoredb/prepare.js';

export interface ServerSide {
  /** Byte offset of each event in the transaction file (commit = prepare). */
  logPositions: bigint[];
  created: Date[];
}

export function storedRecords(
  stream: string,
  events: NewEvent[],
  firstRevision: bigint,
  prevHash: string,
  server: ServerSide,
  namespace = '',
): StoredRecord[] {
  const outgoing = chainAppend(prepareAppend(stream, events, 'any'), stream, firstRevision, prevHash);
  return outgoing.map((e, i) => ({
    streamId: namespace + stream,
    id: e.id,
    revision: firstRevision + BigInt(i),
    type: e.type,
    isJson: true,
    created: server.created[i]!,
    data: JSON.parse(JSON.stringify(e.data)) as unknown,
    metadata: JSON.parse(JSON.stringify(e.metadata)) as unknown,
    position: { commit: server.logPositions[i]!, prepare: server.logPositions[i]! },
  }));
}

/** A small log as the adapter would read it: several appends to several streams, positions growing by `stepBytes`. */
export function sampleLog(appends: Array<{ stream: string; events: NewEvent[] }>, startIso = '2026-07-01T10:00:00.000Z', stepBytes = 613n): EventEnvelope[] {
  const heads = new Map<string, { revision: bigint; hash: string }>();
  let offset = 1_024n;
  let ms = Date.parse(startIso);
  const out: EventEnvelope[] = [];
  for (const { stream, events } of appends) {
    const head = heads.get(stream);
    const first = head ? head.revision + 1n : 0n;
    const logPositions = events.map(() => (offset += stepBytes));
    const created = events.map(() => new Date(ms++));
    for (const record of storedRecords(stream, events, first, head?.hash ?? GENESIS_HASH, { logPositions, created })) {
      const { envelope } = decodeStoredRecord(record, '');
      out.push(envelope);
      heads.set(stream, { revision: envelope.revision, hash: envelope.hash });
    }
  }
  return out;
}
