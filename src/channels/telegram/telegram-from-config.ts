import { ocrOptionsFrom } from "../../../ingest/ocr/ocr-engine.ts";
import { runIngest } from "../../../ingest/run-ingest.ts";
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../logger.ts";
import { createAnswerStore } from "../../store/answer-store.ts";
import { transcriberFromConfig } from "../../transcription/transcriber.ts";
import { createTelegramChannel, type TelegramChannel } from "./telegram-channel.ts";

/**
 * The Telegram channel wired from the configuration and the core (main.ts calls this), or
 * undefined when TELEGRAM_BOT_TOKEN is not set.
 */
export function telegramFromConfig(
  config: Config,
  app: Pick<
    App,
    | "answerer"
    | "store"
    | "conversations"
    | "embedder"
    | "targets"
    | "quizzes"
    | "studyPacks"
    | "stats"
    | "rateLimits"
  >,
  logger: Logger,
): TelegramChannel | undefined {
  if (!config.TELEGRAM_BOT_TOKEN) return undefined;
  return createTelegramChannel(
    {
      token: config.TELEGRAM_BOT_TOKEN,
      answerer: app.answerer,
      store: app.store,
      conversations: app.conversations,
      answers: createAnswerStore(app.store.db),
      reindex: () =>
        runIngest({
          store: app.store,
          corpusDir: config.CORPUS_DIR,
          embedder: app.embedder,
          logger,
          ocr: ocrOptionsFrom(config),
        }),
      study: { targets: app.targets, quizzes: app.quizzes, studyPacks: app.studyPacks },
      transcriber: transcriberFromConfig(config),
      stats: app.stats,
      ...(app.rateLimits ? { rateLimits: app.rateLimits } : {}),
      logger,
      options: {
        corpusDir: config.CORPUS_DIR,
        adminIds: config.TELEGRAM_ADMIN_IDS,
        apiRoot: config.TELEGRAM_API_ROOT,
        streaming: Boolean(config.CHAT_MODEL),
        logQuestions: config.LOG_QUESTIONS,
      },
    },
    config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
      ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET }
      : undefined,
  );
}
