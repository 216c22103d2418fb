import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Answerer } from "../answer/answerer.ts";
import type { Logger } from "../logger.ts";
import { createRateLimiter } from "../reliability/rate-limit.ts";
import type { AnswerStore } from "../store/answer-store.ts";
import { newAnswerId } from "../store/answer-store.ts";
import type { CorpusStore } from "../store/corpus-store.ts";
import { isDatabaseUnreachable } from "../store/database.ts";
import type { RateLimitStore } from "../store/rate-limit-store.ts";
import type { WebAssets } from "../web/build-assets.ts";
import { invalidRequestMessage } from "./invalid-request.ts";
import { askBodySchema, chunkIdSchema } from "./schemas.ts";
import { mountStatsRoutes, type StatsRoutesDeps } from "./stats-routes.ts";
import { mountStudyRoutes, type StudyRoutesDeps } from "./study-routes.ts";

export interface ServerDeps {
  answerer: Answerer;
  store: CorpusStore;
  logger: Logger;
  /** the chat page; absent, only the API is served */
  web?: WebAssets;
  /** targets, quizzes and study packs (/api/targets, /api/quiz, /api/studypack); absent, not served */
  study?: StudyRoutesDeps;
  /** the trainers' statistics (/api/stats); absent, not served */
  stats?: Omit<StatsRoutesDeps, "logger">;
  /** where the questions asked on the page and the API are recorded for the statistics; absent, nowhere */
  answers?: Pick<AnswerStore, "record">;
  options: {
    logQuestions: boolean;
    maxBodyBytes: number;
    /** questions per client per minute on POST /api/ask (API_RATE_LIMIT); absent or 0: no limit */
    questionsPerMinute?: number;
    /** key the limit on X-Forwarded-For (TRUST_PROXY): the service is behind a reverse proxy */
    trustProxy?: boolean;
    /** the limit's counters, shared by every replica (PostgreSQL); absent, counted in this process */
    rateLimits?: Pick<RateLimitStore, "increment">;
  };
}

type Env = { Variables: { requestId: string } };

/** What users see when something breaks on our side; the cause goes to the log only. */
export const SERVER_ERROR_TEXT = "Hệ thống đang gặp sự cố, bạn vui lòng thử lại sau ít phút.";
/** The database is unreachable (restarting, network): temporary, so 503 and "try again shortly". */
export const STORE_DOWN_TEXT =
  "Hệ thống tạm thời không truy cập được kho tài liệu, bạn vui lòng thử lại sau ít phút.";
export const RATE_LIMITED_TEXT =
  "Bạn gửi câu hỏi hơi nhanh, hệ thống cần vài giây để theo kịp. Bạn vui lòng đợi một chút rồi hỏi tiếp.";

/**
 * Who is asking, for the rate limit: the peer address, or behind a trusted reverse proxy the
 * address the proxy appended last to X-Forwarded-For (the ones before it are the client's word).
 */
function clientKey(header: (name: string) => string | undefined, env: unknown, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  const socket = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
    ?.socket;
  return socket?.remoteAddress ?? "local";
}

/**
 * The one HTTP server: the JSON API, the chat page, health checks; the Telegram and Zalo webhooks
 * are mounted on it by their channels (`mount`). It knows the core only through `answerer`/`store`.
 */
export function createServer({ answerer, store, logger, web, study, stats, answers, options }: ServerDeps) {
  const app = new Hono<Env>();

  // One log line per request: id, route, status, duration.
  app.use("*", async (c, next) => {
    const requestId = c.req.header("x-request-id")?.slice(0, 100) || randomUUID();
    c.set("requestId", requestId);
    const started = performance.now();
    await next();
    c.header("x-request-id", requestId);
    logger.info(
      {
        requestId,
        method: c.req.method,
        route: c.req.routePath,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  });

  app.onError((error, c) => {
    if (isDatabaseUnreachable(error)) {
      logger.error(
        { requestId: c.get("requestId"), err: error },
        "request failed: the database is unreachable",
      );
      return c.json({ error: STORE_DOWN_TEXT }, 503, { "retry-after": "5" });
    }
    logger.error({ requestId: c.get("requestId"), err: error }, "request failed");
    return c.json({ error: SERVER_ERROR_TEXT }, 500);
  });

  const perMinute = options.questionsPerMinute ?? 0;
  const limiter =
    perMinute > 0
      ? createRateLimiter({
          limit: perMinute,
          timeFrameMs: 60_000,
          ...(options.rateLimits ? { store: options.rateLimits } : {}),
        })
      : undefined;
  app.notFound((c) => c.json({ error: "Không tìm thấy địa chỉ này." }, 404));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      const stats = await store.stats();
      if (stats.chunks === 0) return c.json({ status: "not ready", reason: "the corpus is empty" }, 503);
      return c.json({ status: "ready", documents: stats.documents, passages: stats.chunks });
    } catch (error) {
      logger.warn({ err: error }, "readiness check: store unreachable");
      return c.json({ status: "not ready", reason: "the store is unreachable" }, 503);
    }
  });

  app.post(
    "/api/ask",
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (c) =>
        c.json({ error: `Nội dung gửi lên quá lớn (tối đa ${options.maxBodyBytes} byte).` }, 413),
    }),
    async (c, next) => {
      if (!limiter) return next();
      const client = clientKey((name) => c.req.header(name), c.env, options.trustProxy === true);
      if ((await limiter.hit(`web:${client}`)) === "allow") return next();
      logger.info({ requestId: c.get("requestId"), client }, "web rate limit hit");
      return c.json({ error: RATE_LIMITED_TEXT }, 429, { "retry-after": "60" });
    },
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: 'Nội dung gửi lên phải là JSON: {"question": "..."}.' }, 400);
      }
      const parsed = askBodySchema.safeParse(body);
      if (!parsed.success) return c.json({ error: invalidRequestMessage(parsed.error, "body") }, 400);
      const { question, conversationId } = parsed.data;
      const requestId = c.get("requestId");
      if (options.logQuestions) logger.info({ requestId, question }, "question");
      else logger.debug({ requestId, question }, "question");
      const answer = await answerer.answer({
        question,
        id: requestId,
        conversationId: conversationId ? `web:${conversationId}` : undefined,
      });
      // For the trainers' statistics, without a user id; the member does not wait for it.
      answers
        ?.record({
          id: newAnswerId(),
          channel: "web",
          ...(conversationId ? { conversationId: `web:${conversationId}` } : {}),
          question,
          answer,
        })
        .catch((error) =>
          logger.warn({ requestId, err: error }, "could not record the question for statistics"),
        );
      return c.json(answer);
    },
  );

  if (study) mountStudyRoutes(app, study);
  if (stats) mountStatsRoutes(app, { ...stats, logger });

  app.get("/api/documents", async (c) => {
    const documents = await store.listDocuments();
    return c.json({
      documents: documents.map((d) => ({
        path: d.path,
        title: d.title,
        publisher: d.publisher ?? null,
        published: d.published ?? null,
        url: d.url ?? null,
        passages: d.chunkCount,
        scanned: d.scanned,
      })),
    });
  });

  app.get("/api/passages/:chunkId", async (c) => {
    const id = chunkIdSchema.safeParse(c.req.param("chunkId"));
    if (!id.success) return c.json({ error: "Mã đoạn trích không hợp lệ." }, 400);
    const view = await store.getPassage(id.data);
    if (!view) return c.json({ error: "Không tìm thấy đoạn trích này." }, 404);
    return c.json(view);
  });

  if (web) {
    const headers = (type: string) => ({
      "content-type": type,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    // The page runs only its own script and style: corpus or user text can never become code.
    const csp =
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
      "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    app.get("/", (c) =>
      c.body(web.html, 200, { ...headers("text/html; charset=utf-8"), "content-security-policy": csp }),
    );
    app.get("/assets/app.js", (c) => c.body(web.js, 200, headers("text/javascript; charset=utf-8")));
    app.get("/assets/app.css", (c) => c.body(web.css, 200, headers("text/css; charset=utf-8")));
  }

  return app;
}

export type Server = ReturnType<typeof createServer>;
