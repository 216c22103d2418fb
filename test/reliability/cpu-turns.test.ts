import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createCpuTurns } from "../../src/reliability/cpu-turns.ts";

/** Spins for `ms` on the thread, as answering does. */
function busy(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

describe("CPU turns", () => {
  it("gives a turn to work that already waited on the database before new work", async () => {
    const turn = createCpuTurns();
    const order: string[] = [];
    await Promise.all([
      turn("new").then(() => order.push("new 1")),
      turn("new").then(() => order.push("new 2")),
      turn("continuing").then(() => order.push("follow-up")),
      turn().then(() => order.push("new 3")),
    ]);
    expect(order).toEqual(["follow-up", "new 1", "new 2", "new 3"]);
  });

  /** Two answers in a row, the first sending a query and working `firstMs`; what happened in what order. */
  async function twoAnswers(passMs: number, firstMs: number): Promise<string[]> {
    // Another process answers what it is sent (as the database does): `cat`, over pipes.
    const peer = spawn("cat", [], { stdio: ["pipe", "pipe", "ignore"] });
    await new Promise((r) => peer.once("spawn", r));
    const events: string[] = [];
    peer.stdout.on("data", () => events.push("database replied"));
    const turn = createCpuTurns({ passMs });
    const answer = async (name: string, work: () => void) => {
      await turn("new");
      events.push(`${name} starts`);
      work();
    };
    await Promise.all([
      answer("first", () => {
        peer.stdin.write("SELECT 1\n");
        busy(firstMs);
      }),
      answer("second", () => busy(1)),
    ]);
    await new Promise((r) => setTimeout(r, 30));
    peer.kill();
    return events;
  }

  it("reads a reply that arrived during a long answer before starting the next", async () => {
    expect(await twoAnswers(10, 50)).toEqual(["first starts", "database replied", "second starts"]);
  });

  it("answers several short questions in one pass, as long as they fit in it", async () => {
    expect(await twoAnswers(200, 20)).toEqual(["first starts", "second starts", "database replied"]);
  });
});
