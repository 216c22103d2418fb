import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../logger.ts";
import { createAnswerStore } from "../../store/answer-store.ts";
import { createDeliveryStore } from "../../store/delivery-store.ts";
import { createQuizSessionStore } from "../../store/quiz-session-store.ts";
import { createZaloChannel, type ZaloChannel } from "./zalo-channel.ts";

/**
 * The Zalo channel wired from the configuration and the core (main.ts calls this), or undefined
 * when ZALO_BOT_TOKEN is not set.
 */
export function zaloFromConfig(
  config: Config,
  app: Pick<App, "answerer" | "store" | "conversations" | "targets" | "quizzes" | "studyPacks">,
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
      study: {
        targets: app.targets,
        quizzes: app.quizzes,
        studyPacks: app.studyPacks,
        quizSessions: createQuizSessionStore(app.store.db),
      },
      logger,
      options: { apiRoot: config.ZALO_API_ROOT, logQuestions: config.LOG_QUESTIONS },
    },
    config.ZALO_WEBHOOK_URL && config.ZALO_WEBHOOK_SECRET
      ? { url: config.ZALO_WEBHOOK_URL, secret: config.ZALO_WEBHOOK_SECRET }
      : undefined,
  );
}
