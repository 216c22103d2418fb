/** A task's hold on one of the queue's slots; giving it back twice is harmless. */
export interface Lease {
  release(): void;
}

export interface OrderedQueue {
  /**
   * Runs `task` after the earlier tasks of `key`, once a slot is free; resolves or rejects as the
   * task does. A failed task does not stop the ones behind it.
   */
  push(key: string, task: (lease: Lease) => Promise<void>): Promise<void>;
  /** tasks holding a slot */
  readonly active: number;
  /** tasks waiting for a slot (their key's earlier tasks done) */
  readonly waiting: number;
  /** keys with a task pushed and not finished */
  readonly keys: number;
}

/**
 * Work for many keys (a bot's chats): the tasks of one key run one after another, in the order
 * they were pushed; tasks of different keys run side by side, at most `concurrency` of them
 * holding a slot at once, and the others take the slots first come, first served. A task may give
 * its slot back before it ends (`lease.release()`), e.g. once only network waiting is left.
 *
 * Why a cap: work started is work in memory, and on an embedded engine (PGlite) every store call
 * runs on the Node thread that also accepts requests; a few tasks at a time keep each stretch
 * without I/O short, where hundreds started together would hold the thread for hundreds of
 * statements in a row.
 */
export function createOrderedQueue(options: { concurrency: number }): OrderedQueue {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const chains = new Map<string, Promise<void>>();
  const waiting: ((lease: Lease) => void)[] = [];
  let active = 0;

  function lease(): Lease {
    let held = true;
    return {
      release() {
        if (!held) return;
        held = false;
        const next = waiting.shift();
        // The slot passes straight to the next waiting task; `active` stays as it is.
        if (next) next(lease());
        else active--;
      },
    };
  }

  function acquire(): Promise<Lease> {
    if (active < concurrency) {
      active++;
      return Promise.resolve(lease());
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  return {
    push(key, task) {
      const run = (chains.get(key) ?? Promise.resolve()).then(async () => {
        const held = await acquire();
        // The slot was given in the middle of someone else's work (a task that just finished):
        // start on the next turn of the event loop, so the I/O waiting meanwhile (requests to
        // acknowledge, replies from the store) is served first, between every two tasks.
        try {
          await new Promise<void>((resolve) => setImmediate(resolve));
          await task(held);
        } finally {
          held.release();
        }
      });
      // The chain goes on whatever this task did; the caller sees its outcome through `run`.
      const settled = run.catch(() => {});
      chains.set(key, settled);
      void settled.then(() => {
        if (chains.get(key) === settled) chains.delete(key);
      });
      return run;
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
    get keys() {
      return chains.size;
    },
  };
}
