import { createHash, timingSafeEqual } from "node:crypto";
import type { Env, Hono } from "hono";
import type { Logger } from "../logger.ts";
import { statsCsv } from "../stats/format-stats.ts";
import { statsParamsSchema, toStatsQuery } from "../stats/stats-query.ts";
import type { StatsStore } from "../store/stats-store.ts";
import { invalidRequestMessage } from "./invalid-request.ts";

export interface StatsRoutesDeps {
  stats: Pick<StatsStore, "query">;
  /** ADMIN_TOKEN; absent, the view does not exist (404) */
  adminToken?: string;
  logger: Logger;
}

/** Compares in constant time: both sides are hashed first, so their lengths leak nothing either. */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /api/stats: what members asked, for trainers (JSON, or CSV with ?format=csv). Only with
 * `Authorization: Bearer <ADMIN_TOKEN>`; 401 otherwise, 404 when no token is configured.
 */
export function mountStatsRoutes<E extends Env>(app: Hono<E>, deps: StatsRoutesDeps): void {
  app.get("/api/stats", async (c) => {
    if (!deps.adminToken) return c.json({ error: "Không tìm thấy địa chỉ này." }, 404);
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!token || !sameToken(token, deps.adminToken)) {
      // The log says that it happened, never what was sent.
      deps.logger.warn(
        { path: c.req.path, withToken: Boolean(token) },
        "statistics refused: wrong or missing admin token",
      );
      return c.json({ error: "Cần mã quản trị (ADMIN_TOKEN) để xem thống kê." }, 401, {
        "www-authenticate": 'Bearer realm="thong-ke"',
      });
    }
    const params = statsParamsSchema.safeParse(c.req.query());
    if (!params.success) return c.json({ error: invalidRequestMessage(params.error) }, 400);
    const query = toStatsQuery(params.data);
    if ("error" in query) return c.json({ error: `Yêu cầu không hợp lệ: ${query.error}` }, 400);
    const stats = await deps.stats.query(query);
    if (params.data.format === "csv")
      return c.body(statsCsv(stats), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="thong-ke-${stats.from}-${stats.to}.csv"`,
        "cache-control": "no-store",
      });
    return c.json(stats, 200, { "cache-control": "no-store" });
  });
}
