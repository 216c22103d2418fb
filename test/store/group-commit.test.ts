import { describe, expect, it } from "vitest";
import { createGroupCommit } from "../../src/store/group-commit.ts";

/** A write that records its batches and answers each item with `answer(item)`, after `delayMs`. */
function recorder<T, R>(answer: (item: T) => R, delayMs = 0) {
  const batches: T[][] = [];
  let writing = 0;
  let mostAtOnce = 0;
  return {
    batches,
    get mostAtOnce() {
      return mostAtOnce;
    },
    async write(items: T[]): Promise<R[]> {
      batches.push(items);
      writing++;
      mostAtOnce = Math.max(mostAtOnce, writing);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      writing--;
      return items.map(answer);
    },
  };
}

describe("group commit", () => {
  it("writes the items submitted in one turn of the event loop as one batch, each caller getting its own result", async () => {
    const w = recorder((n: number) => n * 10);
    const batch = createGroupCommit({ write: (items: number[]) => w.write(items) });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => batch.submit(i)));
    expect(w.batches).toHaveLength(1);
    expect(w.batches[0]).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
    expect(batch.pending).toBe(0);
  });

  it("keeps one write in flight: what arrives meanwhile is the next batch, and batches settle in order", async () => {
    const w = recorder((s: string) => s.toUpperCase(), 20);
    const batch = createGroupCommit({ write: (items: string[]) => w.write(items) });
    const settled: string[] = [];
    const track = (p: Promise<string>) => p.then((r) => settled.push(r));
    const first = [track(batch.submit("a")), track(batch.submit("b"))];
    // The first batch is being written: these three wait and go together.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batch.pending).toBe(2);
    const second = [track(batch.submit("c")), track(batch.submit("d")), track(batch.submit("e"))];
    await Promise.all([...first, ...second]);
    expect(w.batches).toEqual([
      ["a", "b"],
      ["c", "d", "e"],
    ]);
    expect(w.mostAtOnce).toBe(1);
    expect(settled).toEqual(["A", "B", "C", "D", "E"]);
  });

  it("splits a batch at maxBatch", async () => {
    const w = recorder((n: number) => n);
    const batch = createGroupCommit({ write: (items: number[]) => w.write(items), maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batch.submit(i)));
    expect(w.batches.map((b) => b.length)).toEqual([4, 4, 2]);
  });

  it("rejects every caller of a failed batch with its error, and the next batch is written as usual", async () => {
    let fail = true;
    const batch = createGroupCommit({
      async write(items: number[]) {
        if (fail) throw new Error("connection to the store lost");
        return items.map(() => true);
      },
    });
    const outcomes = await Promise.allSettled([batch.submit(1), batch.submit(2), batch.submit(3)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const o of outcomes)
      expect((o as PromiseRejectedResult).reason.message).toBe("connection to the store lost");
    fail = false;
    expect(await Promise.all([batch.submit(4), batch.submit(5)])).toEqual([true, true]);
  });

  it("fails a batch whose write throws synchronously or returns the wrong number of results", async () => {
    const throwing = createGroupCommit<number, number>({
      write: () => {
        throw new Error("bad statement");
      },
    });
    await expect(Promise.all([throwing.submit(1), throwing.submit(2)])).rejects.toThrow("bad statement");
    const short = createGroupCommit<number, number>({ write: async () => [1] });
    const outcomes = await Promise.allSettled([short.submit(1), short.submit(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain("1 results for 2 items");
  });
});
