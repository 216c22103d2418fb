import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../logger.ts";
import { createAnswerStore } from "../../store/answer-store.ts";
import { createDeliveryStore } from "../../store/delivery-store.ts";
import { createQuizSessionStore } from "../../store/quiz-session-store.ts";
import { transcriberFromConfig } from "../../transcription/transcriber.ts";
import { createZaloChannel, type ZaloChannel } from "./zalo-channel.ts";

/**
 * How many messages are answered at once (the store and the answerer; sending does not hold a
 * slot). Chosen by measurement (the bench:load Zalo webhook, README "Load"): extractive answers on
 * PGlite are work on this one thread, statements included, so one at a time answers as many per
 * second as two or eight while the thread acknowledges webhook requests between statements (p99
 * 75 ms at 1, 174 ms at 2); on PostgreSQL statements are round trips that overlap, and 4 kept the
 * acknowledgements faster than 8 (p99 122 against 158 ms) for the same answers per second. A
 * chat model's answer is seconds of waiting: as many as CHAT_MAX_CONCURRENCY lets through.
 */
export function answeringConcurrency(
  config: Pick<Config, "CHAT_MODEL" | "CHAT_MAX_CONCURRENCY">,
  engine: "pglite" | "postgres",
): number {
  const local = engine === "pglite" ? 1 : 4;
  return config.CHAT_MODEL ? Math.max(local, config.CHAT_MAX_CONCURRENCY) : local;
}

/**
 * The Zalo channel wired from the configuration and the core (main.ts calls this), or undefined
 * when ZALO_BOT_TOKEN is not set.
 */
export function zaloFromConfig(
  config: Config,
  app: Pick<
    App,
    "answerer" | "store" | "conversations" | "targets" | "quizzes" | "studyPacks" | "rateLimits"
  >,
  logger: Logger,
): ZaloChannel | undefined {
  if (!config.ZALO_BOT_TOKEN) return undefined;
  return createZaloChannel(
    {
      token: config.ZALO_BOT_TOKEN,
      answerer: app.answerer,
      store: app.store,
      conversations: app.conversations,
      answers: createAnswerStore(app.store.db),
      deliveries: createDeliveryStore(app.store.db),
      ...(app.rateLimits ? { rateLimits: app.rateLimits } : {}),
      study: {
        targets: app.targets,
        quizzes: app.quizzes,
        studyPacks: app.studyPacks,
        quizSessions: createQuizSessionStore(app.store.db),
      },
      transcriber: transcriberFromConfig(config),
      logger,
      options: {
        apiRoot: config.ZALO_API_ROOT,
        logQuestions: config.LOG_QUESTIONS,
        groupReplies: config.ZALO_GROUP_REPLIES,
        concurrency: answeringConcurrency(config, app.store.db.engine),
      },
    },
    config.ZALO_WEBHOOK_URL && config.ZALO_WEBHOOK_SECRET
      ? { url: config.ZALO_WEBHOOK_URL, secret: config.ZALO_WEBHOOK_SECRET }
      : undefined,
  );
}
