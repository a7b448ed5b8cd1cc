// The read model's lookups satisfy the command side's port (checked by the type checker).
import { describe, expectTypeOf, it } from 'vitest';
import type { LedgerLookups } from '../../../src/ledger/lookups.js';
import type { ReadModelLookups } from '../../../src/ledger/read-model-lookups.js';

describe('LedgerLookups', () => {
  it('is implemented by ReadModelLookups', () => {
    expectTypeOf<ReadModelLookups>().toExtend<LedgerLookups>();
  });
});
