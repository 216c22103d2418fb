import { setImmediate } from "node:timers";

/** Work that already waited on the database (a conversation's history) goes before new work. */
export type TurnPriority = "continuing" | "new";

/**
 * Turns on the one Node thread for CPU-bound work (choosing an answer), at most `passMs` of them
 * per pass of the event loop, so that the replies the database sent meanwhile are read within
 * that time instead of after every request that arrived in the same pass.
 *
 * Without it, under load each pass answers every request that is ready (50 connections: some 50
 * × 2 ms), and a request that needs the database (a conversation reads its history and writes its
 * turn) waits a whole pass at each query: follow-ups took 300 ms where other questions took 60 ms
 * (npm run bench:load -- --distinct N). With it, a query's reply is read within `passMs`, and a
 * request that has already waited for the database goes first. One answer per pass would do as
 * well for latency, but would cost the batching of what is written per pass (answers are recorded
 * by one INSERT per pass): passes of 10 ms keep both.
 *
 * `await turn(priority)` resolves when it is the caller's turn; the caller then does its CPU work
 * until its next real wait (the turn ends with the macrotask, as promises' continuations run
 * before the next one). Uses node:timers' setImmediate, which test fake timers leave alone.
 */
export function createCpuTurns(options: { passMs?: number } = {}) {
  const passMs = options.passMs ?? 10;
  const continuing: (() => void)[] = [];
  const fresh: (() => void)[] = [];
  /** when the current pass's first turn started; undefined between passes */
  let passStarted: number | undefined;
  const tick = () => {
    if (passStarted === undefined) {
      passStarted = performance.now();
      // queued now, it runs at the start of the next pass's turns
      setImmediate(() => {
        passStarted = undefined;
      });
    } else if (performance.now() - passStarted >= passMs) {
      // this pass has had its share: the event loop reads what arrived before the next turn
      setImmediate(tick);
      return;
    }
    (continuing.shift() ?? fresh.shift())?.();
  };
  return function turn(priority: TurnPriority = "new"): Promise<void> {
    return new Promise<void>((resolve) => {
      (priority === "continuing" ? continuing : fresh).push(resolve);
      setImmediate(tick);
    });
  };
}

export type CpuTurns = ReturnType<typeof createCpuTurns>;
