import { describe, expect, it } from "vitest";
import { createOrderedQueue } from "../../src/reliability/ordered-queue.ts";

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that records when it runs and finishes when `release` is called. */
function gated(log: string[], name: string) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    open: () => open(),
    task: async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
    },
  };
}

describe("ordered queue", () => {
  it("runs one key's tasks in the order pushed, even when the first is the slowest", async () => {
    const queue = createOrderedQueue({ concurrency: 4 });
    const log: string[] = [];
    const slow = gated(log, "a1");
    const done = [
      queue.push("a", slow.task),
      queue.push("a", async () => {
        log.push("a2");
      }),
    ];
    await tick(10);
    expect(log).toEqual(["start a1"]);
    slow.open();
    await Promise.all(done);
    expect(log).toEqual(["start a1", "end a1", "a2"]);
    expect(queue.keys).toBe(0);
  });

  it("never holds more than `concurrency` slots; the others start first come, first served", async () => {
    const queue = createOrderedQueue({ concurrency: 2 });
    const log: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((k) => gated(log, k));
    const done = tasks.map((t, i) => queue.push(`chat${i}`, t.task));
    await tick(10);
    expect(log).toEqual(["start a", "start b"]);
    expect(queue.active).toBe(2);
    expect(queue.waiting).toBe(2);
    tasks[1]?.open();
    await tick(10);
    expect(log).toEqual(["start a", "start b", "end b", "start c"]);
    for (const t of tasks) t.open();
    await Promise.all(done);
    expect(queue.active).toBe(0);
    expect(queue.waiting).toBe(0);
  });

  it("gives the slot to the next task when a task releases its lease early (only network waiting left)", async () => {
    const queue = createOrderedQueue({ concurrency: 1 });
    const log: string[] = [];
    const sending = gated(log, "a");
    const done = [
      queue.push("a", async (lease) => {
        lease.release();
        lease.release(); // twice is harmless
        await sending.task();
      }),
      queue.push("b", async () => {
        log.push("b");
      }),
    ];
    await tick(10);
    expect(log).toEqual(["start a", "b"]);
    expect(queue.active).toBe(0);
    sending.open();
    await Promise.all(done);
  });

  it("goes on after a task fails: its caller sees the error, the key's next task runs", async () => {
    const queue = createOrderedQueue({ concurrency: 1 });
    const failed = queue.push("a", async () => {
      throw new Error("store unreachable");
    });
    const next = queue.push("a", async () => {});
    await expect(failed).rejects.toThrow("store unreachable");
    await expect(next).resolves.toBeUndefined();
    expect(queue.active).toBe(0);
  });

  it("lets a timer that came due run between two tasks (the thread is not held by a queue of them)", async () => {
    const queue = createOrderedQueue({ concurrency: 1 });
    const log: string[] = [];
    // Busy tasks with no I/O of their own: without a turn of the event loop between them, the
    // timer would only run after all of them.
    const busy = (name: string) => async () => {
      const until = Date.now() + 5;
      while (Date.now() < until) {}
      log.push(name);
    };
    const done = Array.from({ length: 20 }, (_, i) => queue.push(`chat${i}`, busy(`t${i}`)));
    setTimeout(() => log.push("timer"), 0);
    await Promise.all(done);
    expect(log.indexOf("timer")).toBeGreaterThan(-1);
    expect(log.indexOf("timer")).toBeLessThan(5);
  });
});
