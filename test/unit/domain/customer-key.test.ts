import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, customerKeyOf, foldCompanyName } from '../../../src/domain/customer-key.js';
import { DomainRuleError } from '../../../src/domain/errors.js';

const VALID_CODE = '91110000802100433B';

function refusal(f: () => unknown): DomainRuleError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainRuleError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('customer keys', () => {
  it('uses a valid unified social credit code, in any width, case or spacing', () => {
    const a = customerKeyOf({ name: 'Anything', taxId: VALID_CODE });
    const b = customerKeyOf({ name: 'Other spelling', taxId: ' ９１１１００００８０２１００４３３ｂ ' });
    expect(a.key).toBe(`tax:${VALID_CODE}`);
    expect(b.key).toBe(a.key);
    expect(b.match).toEqual({ by: 'taxId', input: ' ９１１１００００８０２１００４３３ｂ ', normalised: VALID_CODE });
  });

  it('refuses a tax id whose check character is wrong, naming the rule', () => {
    const wrong = `${VALID_CODE.slice(0, 17)}C`;
    const e = refusal(() => customerKeyOf({ name: 'X', taxId: wrong }));
    expect(e.rule).toBe('customer-tax-id-invalid');
    expect(e.detail).toContain('GB 32100-2015 gives B');
  });

  it('refuses a tax id of the wrong length or with forbidden letters', () => {
    expect(refusal(() => customerKeyOf({ name: 'X', taxId: '12345' })).detail).toContain('has 5 characters');
    expect(refusal(() => customerKeyOf({ name: 'X', taxId: '9111000080210043OB' })).detail).toContain('"O" is not allowed');
  });

  it('computes check characters over the 31-character alphabet', () => {
    expect(creditCodeCheckChar(VALID_CODE.slice(0, 17))).toBe('B');
  });

  it('falls back to the folded name when no tax id is given', () => {
    const k = customerKeyOf({ name: '北京星辰科技有限公司', taxId: null });
    expect(k.key).toBe('name:北京星辰科技');
    expect(k.match.by).toBe('name');
  });

  it('meets two spellings of one company', () => {
    const spellings = [
      'Acme Trading Co., Ltd.',
      'ACME TRADING CO LTD',
      'Ａｃｍｅ　Ｔｒａｄｉｎｇ Ｃｏ．，Ｌｔｄ．',
      'acme-trading limited',
      'Acme Trading Inc.',
      'Acme Trading Corp.',
      'Acme Trading, LLC',
    ];
    expect(new Set(spellings.map(foldCompanyName))).toEqual(new Set(['acmetrading']));
    expect(foldCompanyName('星辰科技股份有限公司')).toBe(foldCompanyName('星辰科技（集团）有限责任公司'));
  });

  it('does not cut letters out of a name that only ends like a suffix', () => {
    expect(foldCompanyName('Taco Inc')).toBe('taco');
    expect(foldCompanyName('Company')).toBe('company');
  });

  it('refuses a name with nothing to match on', () => {
    expect(refusal(() => customerKeyOf({ name: '…！', taxId: '' })).rule).toBe('customer-name-empty');
  });
});
