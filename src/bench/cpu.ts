// CPU time for the benches: the main thread's alone (what the event loop spends, the figure that
// bounds a single-threaded pipeline) and the whole process's (every thread: the store's writer,
// a read-model worker, the GC helpers). Linux gives a thread's own time in nanoseconds in
// /proc/thread-self/schedstat; elsewhere the main-thread figure is null.
import { readFileSync } from 'node:fs';

/** CPU time of the calling thread so far, in ms (null where /proc/thread-self is not readable). */
export function threadCpuMs(): number | null {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

/** CPU time of the whole process so far (user + system, every thread), in ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1_000;
}

export interface CpuSample {
  thread: number | null;
  process: number;
}

export function cpuNow(): CpuSample {
  return { thread: threadCpuMs(), process: processCpuMs() };
}

export interface CpuPerUnit {
  /** Main-thread CPU µs per unit (command, event, request); null where not measurable. */
  mainThreadUs: number | null;
  /** Whole-process CPU µs per unit. */
  processUs: number;
}

/** CPU µs per unit of work since `before`, measured on the calling thread and the whole process. */
export function cpuPerUnitSince(before: CpuSample, units: number): CpuPerUnit {
  const after = cpuNow();
  const per = (ms: number): number => Math.round((ms * 1_000 * 10) / Math.max(1, units)) / 10;
  return {
    mainThreadUs: before.thread === null || after.thread === null ? null : per(after.thread - before.thread),
    processUs: per(after.process - before.process),
  };
}
