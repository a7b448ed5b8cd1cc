// A keyed async mutex: tasks with the same key run one at a time, in arrival order; tasks with
// different keys run concurrently. The command side holds one per event store and keys it by
// stream, so concurrent commands on one stream wait their turn in-process instead of racing to
// the store and spending their bounded retries on revision conflicts (retries remain for other
// processes writing the same file). A key's queue is forgotten when it empties.

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task with this key has settled; resolves or rejects as it does. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a task running or waiting (for tests and diagnostics). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
