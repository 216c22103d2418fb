/**
 * Group commit: single-row writes that arrive close together are written as one statement.
 *
 * Under load a channel makes the same small write for every incoming event (claim this delivery
 * id, record this answer). One statement each is paid in full every time: on PGlite, which runs
 * every statement on the Node thread one at a time, a one-row INSERT costs about as much as a
 * 50-row one (2 ms against 0.2 ms per row measured on a file-backed store), and the Node thread
 * is also the one that must acknowledge the next webhook request. So `submit` queues the item and
 * the items queued during one turn of the event loop go out together, through `write`, once the
 * turn's I/O callbacks have run (setImmediate). While a batch is being written the next one
 * collects: at most one statement is in flight, so the busier the channel the bigger the batches,
 * and batches (and the promises of their items) settle in the order the items were submitted.
 */
export interface GroupCommitOptions<T, R> {
  /** Writes `items` (at least one) as one statement; returns one result per item, in order. */
  write: (items: T[]) => Promise<R[]>;
  /** most items per statement (default 500): a bounded statement size and parameter list */
  maxBatch?: number;
}

export interface GroupCommit<T, R> {
  /** Queues `item`; resolves with its result, or rejects with the error of its batch. */
  submit(item: T): Promise<R>;
  /** items waiting for their statement, the one in flight included */
  readonly pending: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  let queue: Waiting<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let writing = false;

  function schedule() {
    if (scheduled || writing) return;
    scheduled = true;
    setImmediate(flush);
  }

  async function flush() {
    scheduled = false;
    if (writing || queue.length === 0) return;
    writing = true;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    inFlight = batch.length;
    try {
      // A write that throws synchronously fails its batch like one that rejects.
      const results = await Promise.resolve().then(() => options.write(batch.map((w) => w.item)));
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new Error(
          `group commit: the write returned ${Array.isArray(results) ? results.length : "no"} results for ${batch.length} items`,
        );
      }
      for (const [i, w] of batch.entries()) w.resolve(results[i] as R);
    } catch (error) {
      // Every caller of the batch learns of the failure: none of them may assume its write happened.
      for (const w of batch) w.reject(error);
    } finally {
      inFlight = 0;
      writing = false;
      // What came in meanwhile is the next batch; it goes out at once, it has waited long enough.
      if (queue.length > 0) {
        scheduled = true;
        void flush();
      }
    }
  }

  return {
    submit(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    get pending() {
      return queue.length + inFlight;
    },
  };
}
