import { limit } from "@grammyjs/ratelimiter";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotError, type Context } from "grammy";
import type { Logger } from "../../logger.ts";
import { grammyStorage } from "../../reliability/rate-limit.ts";
import { isAddressedToBot } from "./addressing.ts";
import { telegramRetry } from "./api-retry.ts";
import { adminFeature } from "./features/admin.ts";
import { askFeature } from "./features/ask.ts";
import { commandsFeature } from "./features/commands.ts";
import { feedbackFeature } from "./features/feedback.ts";
import { inlineFeature } from "./features/inline.ts";
import { sourcesFeature } from "./features/sources.ts";
import { studyFeature } from "./features/study.ts";
import { unhandledFeature } from "./features/unhandled.ts";
import { voiceFeature } from "./features/voice.ts";
import { TEXT } from "./texts.ts";
import type { TelegramBotDeps } from "./types.ts";

/** The shared counters as @grammyjs/ratelimiter takes them (its Redis client shape). */
type SharedCounters = ReturnType<typeof grammyStorage>;

/** The updates the bot asks Telegram for (polling and webhook alike). */
export const ALLOWED_UPDATES = ["message", "callback_query", "inline_query"] as const;

export const DEFAULT_TELEGRAM_API_ROOT = "https://api.telegram.org";

/**
 * The Telegram bot: a grammY `Bot` with every feature, built from explicit dependencies and
 * making no network call until it is started (or handed an update). The core only appears as
 * `answerer` and the stores; the bot only translates messages in and formats answers out.
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot<Context> {
  const { token, logger, options } = deps;
  const bot = new Bot<Context>(token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { apiRoot: options.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT },
  });
  bot.api.config.use(telegramRetry());
  bot.api.config.use(reportPollingFailures(logger));

  // Last resort: an error outside the boundary (there should be none) is logged, never thrown.
  bot.catch((error) => {
    logger.error({ updateId: error.ctx.update.update_id, err: error.error }, "telegram update failed");
  });

  const guarded = bot.errorBoundary((error) => apologise(error, logger));
  // Updates of one chat are handled in order: a follow-up never overtakes its question.
  guarded.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  // In groups the bot only hears what is addressed to it; the rest goes no further (before any
  // rate limit, so a member's chatter never counts against them).
  const addressed = guarded.filter(isAddressedToBot);

  const inline = options.inlineRateLimit ?? { limit: 20, timeFrameMs: 10_000 };
  addressed.on(
    "inline_query",
    limit<Context, SharedCounters>({
      timeFrame: inline.timeFrameMs,
      limit: inline.limit,
      keyPrefix: "INLINE",
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      ...(deps.rateLimits ? { storageClient: grammyStorage(deps.rateLimits, inline.timeFrameMs) } : {}),
    }),
    inlineFeature(deps),
  );

  const perUser = options.rateLimit ?? { limit: 6, timeFrameMs: 10_000 };
  addressed.use(
    limit<Context, SharedCounters>({
      timeFrame: perUser.timeFrameMs,
      limit: perUser.limit,
      keyPrefix: "TELEGRAM",
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      ...(deps.rateLimits ? { storageClient: grammyStorage(deps.rateLimits, perUser.timeFrameMs) } : {}),
      onLimitExceeded: (ctx) => tellToSlowDown(ctx, logger),
    }),
  );

  addressed.use(
    adminFeature(deps),
    commandsFeature(deps),
    sourcesFeature(deps),
    studyFeature(deps),
    feedbackFeature(deps),
    askFeature(deps),
    voiceFeature(deps),
    unhandledFeature(),
  );
  return bot;
}

/** The error boundary: the user gets a short apology, the log the update id and the cause. */
async function apologise(error: BotError<Context>, logger: Logger): Promise<void> {
  const ctx = error.ctx;
  logger.error({ updateId: ctx.update.update_id, err: error.error }, "telegram update failed");
  try {
    if (ctx.callbackQuery) {
      const answered = await ctx
        .answerCallbackQuery({ text: TEXT.apology, show_alert: true })
        .then(() => true)
        .catch(() => false);
      if (answered || !ctx.chat) return;
    }
    if (ctx.inlineQuery) {
      await ctx.answerInlineQuery([], { cache_time: 0 });
      return;
    }
    if (ctx.chat) await ctx.reply(TEXT.apology);
  } catch (failure) {
    logger.warn({ updateId: ctx.update.update_id, err: failure }, "could not send the apology");
  }
}

async function tellToSlowDown(ctx: Context, logger: Logger): Promise<void> {
  logger.info({ updateId: ctx.update.update_id, userId: ctx.from?.id }, "telegram rate limit hit");
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: TEXT.rateLimited, show_alert: true });
    else if (ctx.chat) await ctx.reply(TEXT.rateLimited);
  } catch (error) {
    logger.warn({ err: error }, "could not send the rate-limit message");
  }
}

/** The runner retries getUpdates on its own; this puts its failures in our log, not on stderr. */
function reportPollingFailures(logger: Logger) {
  const transformer: Parameters<Bot["api"]["config"]["use"]>[0] = async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (method === "getUpdates" && !result.ok) {
        logger.warn({ code: result.error_code, description: result.description }, "getUpdates failed");
      }
      return result;
    } catch (error) {
      if (method === "getUpdates" && !signal?.aborted) logger.warn({ err: error }, "getUpdates failed");
      throw error;
    }
  };
  return transformer;
}
