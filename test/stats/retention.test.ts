import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { scheduleRetention } from "../../src/stats/retention.ts";
import { statsParamsSchema, toStatsQuery } from "../../src/stats/stats-query.ts";
import { logSink } from "../helpers/log-sink.ts";

describe("the retention job", () => {
  it("prunes after start and on every tick, keeps going after a failure, and stops cleanly", async () => {
    const calls: number[] = [];
    let fail = true;
    const logs = logSink();
    const stop = scheduleRetention({
      stats: {
        rollUp: async () => 0,
        rollUpAll: async () => {},
        query: async () => {
          throw new Error("not used");
        },
        prune: async (days: number) => {
          calls.push(days);
          if (fail) {
            fail = false;
            throw new Error("connection reset");
          }
          return { answers: 3, conversations: 1 };
        },
      },
      days: 180,
      logger: createLogger("info", logs.stream),
      firstAfterMs: 0,
      everyMs: 20,
    });
    for (let i = 0; i < 100 && calls.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.length).toBe(after);
    expect(calls.slice(0, 3)).toEqual([180, 180, 180]);
    expect(
      logs.lines.some(
        (l) => String(l.msg).includes("retention run failed") && String(l.err).includes("connection reset"),
      ),
    ).toBe(true);
    expect(logs.lines.some((l) => l.answers === 3 && l.retentionDays === 180)).toBe(true);
  });
});

describe("counting answers between retention runs", () => {
  it("rolls up every few seconds, one roll-up at a time, and stops with the job", async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const stop = scheduleRetention({
      stats: {
        rollUp: async () => 0,
        rollUpAll: async () => {
          calls++;
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 25)); // longer than the interval
          running--;
        },
        query: async () => {
          throw new Error("not used");
        },
        prune: async () => ({ answers: 0, conversations: 0 }),
      },
      days: 180,
      logger: createLogger("silent"),
      firstAfterMs: 60_000,
      everyMs: 3_600_000,
      rollUpEveryMs: 5,
    });
    for (let i = 0; i < 100 && calls < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 40));
    expect(after).toBeGreaterThanOrEqual(3);
    expect(most).toBe(1);
    expect(running).toBe(0);
    expect(calls).toBe(after);
  });
});

describe("the statistics' period", () => {
  it("defaults to the last 30 days in Vietnam's time, every channel", () => {
    const q = toStatsQuery({}, new Date("2026-12-03T20:00:00Z")); // 03:00 on 4 December in Hà Nội
    expect(q).toEqual({ from: "2026-11-05", to: "2026-12-04" });
  });

  it("takes a period, a number of days or a channel, and refuses the rest", () => {
    expect(toStatsQuery({ days: 7, to: "2026-12-04", channel: "zalo" })).toEqual({
      from: "2026-11-28",
      to: "2026-12-04",
      channel: "zalo",
    });
    expect(toStatsQuery({ from: "2026-12-05", to: "2026-12-01" })).toEqual({
      error: "from must not be after to",
    });
    expect(statsParamsSchema.safeParse({ from: "2026-02-30" }).success).toBe(false);
    expect(statsParamsSchema.safeParse({ from: "2028-02-29" }).success).toBe(true);
    expect(statsParamsSchema.safeParse({ from: "04/12/2026" }).success).toBe(false);
    expect(statsParamsSchema.safeParse({ channel: "fax" }).success).toBe(false);
    expect(statsParamsSchema.safeParse({ limit: "9999" }).success).toBe(false);
  });
});
