import { z } from "zod";
import { type StatsQuery, vietnamDay } from "../store/stats-store.ts";

export const STATS_CHANNELS = ["telegram", "zalo", "web"] as const;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-12-04")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, "is not a calendar date");

/** The query string of GET /api/stats (and the page's form). */
export const statsParamsSchema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    /** days back from `to` when `from` is absent (default 30) */
    days: z.coerce.number().int().min(1).max(3660).optional(),
    channel: z.enum([...STATS_CHANNELS, "all"]).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    format: z.enum(["json", "csv"]).optional(),
  })
  .strict();

export type StatsParams = z.infer<typeof statsParamsSchema>;

/** The period and channel asked for: by default the last 30 days (Vietnam time), every channel. */
export function toStatsQuery(params: StatsParams, now = new Date()): StatsQuery | { error: string } {
  const to = params.to ?? vietnamDay(now);
  const days = params.days ?? 30;
  const from =
    params.from ??
    new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  if (from > to) return { error: "from must not be after to" };
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > 3660)
    return { error: "the period is longer than ten years" };
  return {
    from,
    to,
    ...(params.channel && params.channel !== "all" ? { channel: params.channel } : {}),
    ...(params.limit ? { limit: params.limit } : {}),
  };
}
