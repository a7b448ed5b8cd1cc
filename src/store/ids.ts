// Event ids for the store: uuid v7 (RFC 9562), time-ordered. The store indexes event ids
// (unique, for idempotent re-appends); random v4 ids land all over that index and make every
// commit rewrite pages across it, while v7 ids sort by creation time so new entries go to its
// right edge. Commands that need a deterministic id (uuid v5 of a business key) keep theirs;
// both are valid event ids.
import { createHash, randomFillSync } from 'node:crypto';

const POOL_BYTES = 16 * 256;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

let lastMs = -1;
let sequence = 0;

/** 16 random bytes from a pooled buffer (one randomFillSync per 256 ids). */
function randomBytes16(): Buffer {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * A uuid v7: 48 bits of Unix milliseconds, version 7, a 12-bit sequence that keeps ids of one
 * millisecond in creation order (RFC 9562 method 1, seeded randomly each millisecond), the
 * variant, 62 random bits. `nowMs` is for tests; the default is the wall clock.
 */
export function newEventId(nowMs: number = Date.now()): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) throw new RangeError(`newEventId: ${nowMs} is not a 48-bit millisecond time`);
  const bytes = randomBytes16();
  let ms = nowMs;
  if (ms > lastMs) {
    sequence = ((bytes[6]! & 0x07) << 8) | bytes[7]!; // start in the lower half: room to count up
  } else {
    ms = lastMs; // the clock stood still or went back: stay in order within the last millisecond
    sequence++;
    if (sequence > 0xfff) {
      ms = lastMs + 1; // the sequence ran out: borrow the next millisecond
      sequence = 0;
    }
  }
  lastMs = ms;
  const high = Math.floor(ms / 2 ** 16);
  const low = ms % 2 ** 16;
  const out =
    HEX[(high >>> 24) & 0xff]! +
    HEX[(high >>> 16) & 0xff]! +
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[0x70 | (sequence >>> 8)]! +
    HEX[sequence & 0xff]! +
    '-' +
    HEX[0x80 | (bytes[8]! & 0x3f)]! +
    HEX[bytes[9]!]! +
    '-' +
    HEX[bytes[10]!]! +
    HEX[bytes[11]!]! +
    HEX[bytes[12]!]! +
    HEX[bytes[13]!]! +
    HEX[bytes[14]!]! +
    HEX[bytes[15]!]!;
  return out;
}

/**
 * A deterministic, time-ordered event id: a uuid v8 (RFC 9562 custom layout) with the v7 layout's
 * 48-bit millisecond prefix and the rest taken from sha-256 of `name`. The same name and time
 * give the same id (a retried command re-appends the same ids and is answered idempotently),
 * and ids still sort by time, so the store's event-id index grows at its right edge. Use a time
 * that a retry repeats (e.g. the command's occurredAt), not the wall clock.
 */
export function timeOrderedEventId(name: string, timeMs: number): string {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs >= 2 ** 48) throw new RangeError(`timeOrderedEventId: ${timeMs} is not a 48-bit millisecond time`);
  const digest = createHash('sha256').update(name).digest();
  const hex = Math.floor(timeMs).toString(16).padStart(12, '0') + digest.toString('hex', 0, 10);
  const variant = (0x8 | (digest[10]! & 0x3)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-${hex.slice(18, 30)}`;
}
