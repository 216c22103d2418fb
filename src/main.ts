import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { telegramFromConfig } from "./channels/telegram/telegram-from-config.ts";
import { zaloFromConfig } from "./channels/zalo/zalo-from-config.ts";
import { configSecrets, loadConfigOrExit } from "./config.ts";
import { createLogger } from "./logger.ts";
import { createServer } from "./server/create-server.ts";
import { scheduleRetention } from "./stats/retention.ts";
import { StoreUnavailableError } from "./store/open-store.ts";
import { buildWebAssets } from "./web/build-assets.ts";

/**
 * `npm start`: the service. Ingests corpus/ if the store is empty, serves the chat page and the
 * JSON API on PORT, starts the configured channels, and shuts down gracefully on SIGINT/SIGTERM.
 * The one place where everything is wired together.
 */
async function main() {
  const config = loadConfigOrExit();
  // Secret values are scrubbed from every log line, wherever an error message or URL carries them.
  const logger = createLogger(config.LOG_LEVEL, undefined, { secrets: configSecrets(config) });
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, logger);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    // Retried with backoff for DATABASE_START_TIMEOUT_MS already: say so once, exit non-zero so a
    // supervisor (Docker's restart policy, systemd) starts us again later.
    logger.fatal(error.message);
    process.exit(1);
  }
  const web = await buildWebAssets();
  const server = createServer({
    answerer: app.answerer,
    store: app.store,
    logger,
    web,
    study: { targets: app.targets, quizzes: app.quizzes, studyPacks: app.studyPacks },
    stats: { stats: app.stats, ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}) },
    answers: app.answers,
    options: {
      logQuestions: config.LOG_QUESTIONS,
      maxBodyBytes: config.MAX_BODY_BYTES,
      questionsPerMinute: config.API_RATE_LIMIT,
      trustProxy: config.TRUST_PROXY,
      ...(app.rateLimits ? { rateLimits: app.rateLimits } : {}),
    },
  });
  const telegram = telegramFromConfig(config, app, logger);
  const zalo = zaloFromConfig(config, app, logger);
  // Routes must be added before the server answers its first request.
  telegram?.mount(server);
  zalo?.mount(server);

  const http = serve({ fetch: server.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    http.once("listening", resolve);
    http.once("error", reject);
  });
  const { port } = http.address() as AddressInfo;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  logger.info({ port }, `Sổ tay Nghị quyết is listening on http://${host}:${port}`);
  // Side by side: a bot API that is slow to answer must not hold the other channel back.
  const [telegramOn, zaloOn] = await Promise.all([
    telegram ? telegram.start() : false,
    zalo ? zalo.start() : false,
  ]);
  const channels = ["web", ...(telegramOn ? ["telegram"] : []), ...(zaloOn ? ["zalo"] : [])];
  const on = [
    "web (chat page and JSON API)",
    ...(telegramOn ? [`telegram (${telegram?.mode})`] : []),
    ...(zaloOn ? [`zalo (${zalo?.mode})`] : []),
  ];
  const notes = [
    ...(telegram && !telegramOn ? ["Telegram could not start (see the error above)."] : []),
    ...(zalo && !zaloOn ? ["Zalo could not start (see the error above)."] : []),
    !telegram && !zalo
      ? "Telegram and Zalo are off: set TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN to turn them on"
      : !telegram
        ? "Telegram is off: set TELEGRAM_BOT_TOKEN to turn it on"
        : !zalo
          ? "Zalo is off: set ZALO_BOT_TOKEN to turn it on"
          : "",
  ].filter(Boolean);
  logger.info({ channels }, `channels on: ${on.join(", ")}. ${notes.join(" ")}`.trim());
  // Counts what was asked into the statistics, and deletes what is older than RETENTION_DAYS.
  const stopRetention = scheduleRetention({
    stats: app.stats,
    answers: app.answers,
    ...(app.rateLimits ? { rateLimits: app.rateLimits } : {}),
    days: config.RETENTION_DAYS,
    logger,
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new requests, finishing those in flight");
    // Stop polling Telegram and Zalo (messages being answered finish first) and stop accepting
    // HTTP; close() waits for requests in flight, then we close the store.
    const telegramStopped = telegram
      ?.stop()
      .catch((error) => logger.error({ err: error }, "stopping Telegram failed"));
    const zaloStopped = zalo?.stop().catch((error) => logger.error({ err: error }, "stopping Zalo failed"));
    http.close(async () => {
      await stopRetention();
      await telegramStopped;
      await zaloStopped;
      await app.close().catch((error) => logger.error({ err: error }, "closing the store failed"));
      logger.info("stopped");
      process.exit(0);
    });
    (http as import("node:http").Server).closeIdleConnections?.();
    // A stuck request must not keep the process alive for ever.
    setTimeout(() => {
      logger.warn("requests still in flight after 10 s; exiting");
      process.exit(1);
    }, 10_000).unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

await main();
