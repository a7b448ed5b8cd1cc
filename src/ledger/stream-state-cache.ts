// The command side's memory of folded streams: stream → the state folded up to a revision.
// A command decides on the remembered state and appends with that revision as its expected
// revision, so a stale entry (another process appended) is caught by the store's revision
// check and the stream is then read again. Reads of other streams (a partner's tier for a
// commission) fold only the events after the remembered revision. Entries are keyed by the
// fold that made them: a state folded by one evolve is never handed to another. Bounded: the
// least recently used entry goes first.
import type { EventStore } from '../store/event-store.js';

/** Streams remembered per store (a customer's state holds its claims: keep the bound modest). */
export const MAX_CACHED_STREAMS = 20_000;

interface Entry {
  revision: bigint;
  state: unknown;
  fold: object;
}

export interface CachedState<S> {
  /** The revision of the last event folded into `state`. */
  revision: bigint;
  state: S;
}

export class StreamStateCache {
  private readonly entries = new Map<string, Entry>();
  /** Counters for benchmarks and tests: remembered states used, and streams read whole. */
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(readonly maxStreams = MAX_CACHED_STREAMS) {
    if (!Number.isSafeInteger(maxStreams) || maxStreams < 1) throw new RangeError(`maxStreams must be a positive integer, got ${maxStreams}`);
  }

  /** The state remembered for a stream, folded by `fold`; undefined when none is. */
  get<S>(stream: string, fold: object): CachedState<S> | undefined {
    const entry = this.entries.get(stream);
    if (!entry || entry.fold !== fold) {
      this.stats.misses++;
      return undefined;
    }
    this.entries.delete(stream); // re-inserted last: least recently used first
    this.entries.set(stream, entry);
    this.stats.hits++;
    return { revision: entry.revision, state: entry.state as S };
  }

  /**
   * Remembers a state. A state older than the one remembered is ignored: a read that began
   * before a concurrent append finished may arrive after it.
   */
  set<S>(stream: string, fold: object, revision: bigint, state: S): void {
    if (revision < 0n) throw new RangeError(`revision must be ≥ 0, got ${revision}`);
    const previous = this.entries.get(stream);
    if (previous && previous.fold === fold && previous.revision > revision) return;
    this.entries.delete(stream);
    this.entries.set(stream, { revision, state, fold });
    while (this.entries.size > this.maxStreams) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Forgets a stream: its next use reads it whole from the store. */
  forget(stream: string): void {
    if (this.entries.delete(stream)) this.stats.invalidations++;
  }

  get size(): number {
    return this.entries.size;
  }
}

const caches = new WeakMap<EventStore, StreamStateCache>();

/**
 * A store that decorates another (same log, same streams) uses the inner store's cache, so a
 * state folded through one wrapper is found through the next.
 */
export function shareStreamStateCache(wrapper: EventStore, inner: EventStore): void {
  if (wrapper === inner) return;
  caches.set(wrapper, streamStateCacheOf(inner));
}

/** The cache of one store (one per store object, created on first use). */
export function streamStateCacheOf(store: EventStore): StreamStateCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = new StreamStateCache();
    caches.set(store, cache);
  }
  return cache;
}
