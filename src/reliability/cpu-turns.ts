import { setImmediate } from "node:timers";

/** Work that already waited on the database (a conversation's history) goes before new work. */
export type TurnPriority = "continuing" | "new";

/**
 * Turns on the one Node thread for CPU-bound work (choosing an answer), one per pass of the event
 * loop, so that the replies the database sent meanwhile are read between two answers instead of
 * after every request that arrived in the same pass.
 *
 * Without it, under load each pass answers every request that is ready (50 connections: some 50
 * × 2 ms), and a request that needs the database (a conversation reads its history and writes its
 * turn) waits a whole pass at each query: follow-ups took 300 ms where other questions took 60 ms
 * (npm run bench:load -- --distinct N). With it, a query's reply is read within one answer's time,
 * and a request that has already waited for the database goes first.
 *
 * `await turn(priority)` resolves when it is the caller's turn; the caller then does its CPU work
 * until its next real wait (the turn ends with the macrotask, as promises' continuations run
 * before the next one). Uses node:timers' setImmediate, which test fake timers leave alone.
 */
export function createCpuTurns() {
  const continuing: (() => void)[] = [];
  const fresh: (() => void)[] = [];
  let scheduled = false;
  const grant = () => {
    scheduled = false;
    (continuing.shift() ?? fresh.shift())?.();
    if (continuing.length > 0 || fresh.length > 0) {
      scheduled = true;
      setImmediate(grant);
    }
  };
  return function turn(priority: TurnPriority = "new"): Promise<void> {
    return new Promise<void>((resolve) => {
      (priority === "continuing" ? continuing : fresh).push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(grant);
      }
    });
  };
}

export type CpuTurns = ReturnType<typeof createCpuTurns>;
