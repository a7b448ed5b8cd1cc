// Reads the programme policy at the edge: LEDGER_POLICY_FILE names a company's own policy;
// without it the default programme applies. An invalid file stops the start with every problem.
import { readFileSync } from 'node:fs';
import { defaultPolicy, loadPolicy, type Policy, PolicyError } from '../domain/policy.js';

export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyError([`${path}: cannot be read (${(e as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PolicyError([`${path}: not JSON (${(e as Error).message})`]);
  }
  try {
    return loadPolicy(json);
  } catch (e) {
    if (e instanceof PolicyError) throw new PolicyError(e.problems.map((p) => `${path}: ${p}`));
    throw e;
  }
}

/** The policy named by LEDGER_POLICY_FILE, or the default programme's. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): Policy {
  const file = env.LEDGER_POLICY_FILE;
  return file ? loadPolicyFile(file) : defaultPolicy;
}
