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

  it("reads a reply that arrived during one answer before starting the next", async () => {
    // Another process answers what it is sent (as the database does): `cat`, over pipes.
    const peer = spawn("cat", [], { stdio: ["pipe", "pipe", "ignore"] });
    await new Promise((r) => peer.once("spawn", r));
    const events: string[] = [];
    peer.stdout.on("data", () => events.push("database replied"));
    const turn = createCpuTurns();
    const answer = async (name: string, work: () => void) => {
      await turn("new");
      events.push(`${name} starts`);
      work();
    };
    await Promise.all([
      // the first answer sends a query and keeps the thread busy while the reply comes back
      answer("first", () => {
        peer.stdin.write("SELECT 1\n");
        busy(50);
      }),
      answer("second", () => busy(1)),
    ]);
    await new Promise((r) => setTimeout(r, 20));
    peer.kill();
    expect(events).toEqual(["first starts", "database replied", "second starts"]);
  });
});
