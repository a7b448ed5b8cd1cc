// Runs a command line in-process and captures what it writes to stdout and stderr.
import { vi } from 'vitest';

export interface CapturedRun {
  code: number;
  out: string;
  err: string;
}

export async function captureOutput(run: () => Promise<number>): Promise<CapturedRun> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await run(), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
