import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../../src/ledger/keyed-mutex.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('keyed mutex', () => {
  it('runs tasks of one key one at a time, in arrival order, and forgets the key afterwards', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        mutex.run('stream-a', async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await tick();
          order.push(i);
          running--;
        }),
      ),
    );
    expect(maxRunning).toBe(1);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(mutex.activeKeys).toBe(0);
  });
  it('lets different keys run together, and a failing task release its key', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick();
      running--;
    };
    await Promise.all([mutex.run('a', task), mutex.run('b', task)]);
    expect(maxRunning).toBe(2);
    await expect(mutex.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('a', async () => 7)).resolves.toBe(7);
    expect(mutex.activeKeys).toBe(0);
  });
});
