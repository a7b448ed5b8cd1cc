// One company, many spellings: a customer's key is its unified social credit code when given
// (checked per GB 32100-2015), else its name folded (width, case, punctuation, spaces and
// common company suffixes). What matched is kept in the event so an auditor sees why two
// claims met.
import { DomainRuleError } from './errors.js';

export interface CustomerMatch {
  by: 'taxId' | 'name';
  input: string;
  normalised: string;
}

export interface CustomerKey {
  key: string;
  match: CustomerMatch;
}

// GB 32100-2015: 31 characters (digits and capitals without I, O, S, V, Z), weights 3^i mod 31.
const CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const MAX_NAME_CHARS = 200;

/** The tax id in its canonical form: width folded, upper case, spaces and dashes removed. */
export function canonicalTaxId(input: string): string {
  return input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
}

/** The check character a 17-character code prefix must end with. */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError('the check character is computed over 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CODE_CHARS.indexOf(first17[i]!);
    if (value < 0) throw new RangeError(`"${first17[i]}" is not a credit code character`);
    sum += value * CODE_WEIGHTS[i]!;
  }
  const check = (31 - (sum % 31)) % 31;
  return CODE_CHARS[check]!;
}

/** Why a canonical code is not a valid unified social credit code, or null when it is. */
export function creditCodeProblem(code: string): string | null {
  if (code.length !== 18) return `it has ${code.length} characters; a unified social credit code has 18`;
  const bad = [...code].find((c) => !CODE_CHARS.includes(c));
  if (bad !== undefined) return `"${bad}" is not allowed (digits and capitals except I, O, S, V, Z)`;
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code[17] !== expected) return `its check character is ${code[17]}, GB 32100-2015 gives ${expected}`;
  return null;
}

const LATIN_SUFFIXES = new Set([
  'co', 'company', 'ltd', 'limited', 'inc', 'incorporated', 'corp', 'corporation', 'llc', 'plc', 'group', 'holdings', 'gmbh', 'sa', 'ag',
]);
/** Longest first, so 股份有限公司 is folded whole before 有限公司. */
const CJK_SUFFIXES = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '集团', '公司'];

/** A company name folded: NFKC width, case, punctuation and spaces removed, common suffixes dropped. */
export function foldCompanyName(name: string): string {
  const tokens = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\p{C}\s]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((t) => t.length > 0);
  const whole = tokens.join('');
  while (tokens.length > 1 && LATIN_SUFFIXES.has(tokens[tokens.length - 1]!)) tokens.pop();
  let folded = tokens.join('');
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const suffix of CJK_SUFFIXES) {
      if (folded.endsWith(suffix) && folded.length > suffix.length) {
        folded = folded.slice(0, -suffix.length);
        stripped = true;
        break;
      }
    }
  }
  return (folded.length > 0 ? folded : whole).slice(0, MAX_NAME_CHARS);
}

/** The customer's key: `tax:<code>` when a tax id is given (refused when invalid), else `name:<folded>`. */
export function customerKeyOf(customer: { name: string; taxId?: string | null }): CustomerKey {
  const taxInput = customer.taxId?.trim() ?? '';
  if (taxInput.length > 0) {
    const code = canonicalTaxId(taxInput);
    const problem = creditCodeProblem(code);
    if (problem !== null) {
      throw new DomainRuleError('customer-tax-id-invalid', `tax id "${taxInput}" refused: ${problem}`, { taxId: taxInput });
    }
    return { key: `tax:${code}`, match: { by: 'taxId', input: customer.taxId!, normalised: code } };
  }
  const folded = foldCompanyName(customer.name);
  if (folded.length === 0) {
    throw new DomainRuleError('customer-name-empty', `customer name "${customer.name}" has no letters or digits to match on`, {
      name: customer.name,
    });
  }
  return { key: `name:${folded}`, match: { by: 'name', input: customer.name, normalised: folded } };
}

/**
 * What a customer named by a user (a path, a CLI argument) keys to, before any lookup: a stored
 * key form (`tax:…`, `name:…`) as given, a valid credit code as its tax key, anything else as
 * its folded name; null when it has nothing to match on.
 */
export function keyForInput(input: string): string | null {
  if (/^(tax|name):/.test(input)) return input;
  const code = canonicalTaxId(input);
  if (creditCodeProblem(code) === null) return `tax:${code}`;
  const folded = foldCompanyName(input);
  return folded.length === 0 ? null : `name:${folded}`;
}

/**
 * The customer a user's input means, among the stored keys it matches (the exact key, its
 * normalised key, or a customer registered under that spelling): the exact key wins; one match
 * is it; several are refused (ask by key); none is unknown for a query, and for a command the
 * key the input normalises to (a ruling may name a customer not claimed yet).
 */
export function chooseCustomerKey(input: string, storedMatches: readonly string[], purpose: 'query' | 'command'): string {
  if (storedMatches.includes(input)) return input;
  const [only, ...others] = storedMatches;
  if (only !== undefined && others.length === 0) return only;
  if (only !== undefined) {
    throw new DomainRuleError('customer-ambiguous', `"${input}" names ${storedMatches.length} customers (${storedMatches.join(', ')}); ask by key`, { input, matches: storedMatches.length }, 'conflict');
  }
  const key = purpose === 'command' ? keyForInput(input) : null;
  if (key === null) throw new DomainRuleError('customer-unknown', `no customer "${input}"`, { input }, 'not-found');
  return key;
}
