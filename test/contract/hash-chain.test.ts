// Canonical JSON and the pure chain verification.
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/domain/events.js';
import { CanonicalJsonText, GENESIS_HASH, canonicalJson, hashEvent, verifyChain } from '../../src/store/hash-chain.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined keys, writes bigint as digits and no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined, n: 12n })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1,"n":12}');
    expect(canonicalJson({ data: new CanonicalJsonText('{"z":1}') })).toBe('{"data":{"z":1}}');
  });
  it('refuses what JSON cannot say exactly', () => {
    for (const bad of [NaN, Infinity, -Infinity, { x: NaN }, [undefined], new Date(0), () => 1, Symbol('s')]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
  });
});

describe('verifyChain', () => {
  const chain = (count: number): EventEnvelope[] => {
    const out: EventEnvelope[] = [];
    let prevHash = GENESIS_HASH;
    for (let i = 0; i < count; i++) {
      const body = {
        eventId: `00000000-0000-4000-8000-00000000000${i}`,
        type: 'DepositPosted' as const,
        schemaVersion: 1,
        stream: 'partner-P-1',
        revision: BigInt(i),
        occurredAt: '2026-07-01T00:00:00.000Z',
        recordedAt: `2026-07-01T00:00:0${i}.000Z`,
        actor: { role: 'finance' as const, id: 'f' },
        commandId: null,
        correlationId: null,
        causationId: null,
        policyVersion: null,
        prevHash,
        data: { partnerId: 'P-1', amountFen: 100 + i },
      };
      const hash = hashEvent(prevHash, body);
      out.push({ ...body, position: BigInt(i + 1), hash });
      prevHash = hash;
    }
    return out;
  };

  it('accepts an intact chain and reports its head', () => {
    const events = chain(4);
    expect(verifyChain(events)).toEqual({ ok: true, events: 4, headHash: events[3]!.hash });
  });
  it('does not hash the position, so the same content chains the same wherever it is numbered', () => {
    const [e] = chain(1);
    expect(hashEvent(e!.prevHash, { ...e!, position: 99n })).toBe(e!.hash);
  });
  it('names the first changed, unlinked or missing position', () => {
    const changed = chain(4);
    changed[2] = { ...changed[2]!, data: { partnerId: 'P-1', amountFen: 1 } };
    expect(verifyChain(changed)).toMatchObject({ ok: false, firstBadPosition: 3n, events: 2, problem: expect.stringMatching(/hash mismatch/) });
    const missing = chain(4).filter((e) => e.position !== 2n);
    expect(verifyChain(missing)).toMatchObject({ ok: false, firstBadPosition: 2n, problem: expect.stringMatching(/missing/) });
    const relinked = chain(4);
    relinked[1] = { ...relinked[1]!, prevHash: 'f'.repeat(64) };
    expect(verifyChain(relinked)).toMatchObject({ ok: false, firstBadPosition: 2n, problem: expect.stringMatching(/broken link/) });
  });
});

describe('the store-side envelope hash', () => {
  it('writes exactly what canonicalJson writes, and hashes as hashEvent does', async () => {
    const { canonicalEnvelopeText, hashStoredEnvelope } = await import('../../src/store/hash-chain.js');
    const fc = await import('fast-check');
    const tag = fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 20 }));
    fc.assert(
      fc.property(
        fc.record({
          eventId: fc.uuid(),
          type: fc.string({ minLength: 1 }),
          schemaVersion: fc.integer({ min: 1, max: 99 }),
          stream: fc.string({ minLength: 1 }),
          revision: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          occurredAt: fc.string(),
          recordedAt: fc.string(),
          actor: fc.record({ role: fc.string(), id: fc.string() }),
          commandId: tag,
          correlationId: tag,
          causationId: tag,
          policyVersion: tag,
          prevHash: fc.stringMatching(/^[0-9a-f]{64}$/),
          data: fc.jsonValue(),
        }),
        (e) => {
          const dataText = canonicalJson(e.data);
          const { data: _data, ...rest } = e;
          const fields = { ...rest, dataText };
          expect(canonicalEnvelopeText(fields)).toBe(canonicalJson({ ...rest, revision: BigInt(e.revision), data: new CanonicalJsonText(dataText) }));
          expect(hashStoredEnvelope(fields)).toBe(hashEvent(e.prevHash, { ...rest, revision: BigInt(e.revision), data: e.data } as never));
        },
      ),
      { numRuns: 300 },
    );
  });
});
