import { type RunnerHandle, run } from "@grammyjs/runner";
import type { Env, Hono } from "hono";
import { errorMessage } from "../../error-message.ts";
import { ALLOWED_UPDATES, createTelegramBot } from "./create-bot.ts";
import { ADMIN_COMMANDS, COMMANDS } from "./texts.ts";
import type { TelegramBotDeps } from "./types.ts";
import { mountTelegramWebhook } from "./webhook.ts";

export interface TelegramWebhook {
  /** TELEGRAM_WEBHOOK_URL: registered with setWebhook; its path is the route on our server */
  url: string;
  /** TELEGRAM_WEBHOOK_SECRET */
  secret: string;
}

/** How long stop() waits for updates being answered when polling stops. */
const DRAIN_MS = 8_000;

/**
 * The Telegram channel as the service runs it: long polling with @grammyjs/runner, or, with a
 * webhook, a route on the service's HTTP server (`mount`, before the server listens) registered
 * with Telegram at `start`. A failure to reach Telegram at start is logged and leaves the other
 * channels running.
 */
export function createTelegramChannel(deps: TelegramBotDeps, webhook?: TelegramWebhook) {
  const { logger } = deps;
  const bot = createTelegramBot(deps);
  const mode = webhook ? "webhook" : "long polling";
  let runner: RunnerHandle | undefined;

  async function registerCommands() {
    try {
      await bot.api.setMyCommands([...COMMANDS]);
    } catch (error) {
      logger.warn({ error: errorMessage(error) }, "setMyCommands failed; the commands still work");
    }
    for (const id of deps.options.adminIds) {
      await bot.api
        .setMyCommands([...ADMIN_COMMANDS], { scope: { type: "chat", chat_id: id } })
        // Telegram refuses this until the admin has opened a chat with the bot.
        .catch((error) =>
          logger.warn({ adminId: id, error: errorMessage(error) }, "admin command list not set"),
        );
    }
  }

  return {
    bot,
    mode,

    /** Adds the webhook route; call before the server starts listening. */
    mount<E extends Env>(server: Hono<E>) {
      if (!webhook) return;
      mountTelegramWebhook(server, {
        bot,
        path: new URL(webhook.url).pathname,
        secret: webhook.secret,
        logger,
      });
    },

    /** Connects to Telegram; false (and a logged reason) when it cannot. */
    async start(): Promise<boolean> {
      try {
        await bot.init();
      } catch (error) {
        logger.error(
          { error: errorMessage(error) },
          "Telegram is off: getMe failed (check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT); the web channel keeps running",
        );
        return false;
      }
      // Not awaited: a slow or failing setMyCommands must not delay answering.
      void registerCommands();
      try {
        if (webhook) {
          await bot.api.setWebhook(webhook.url, {
            secret_token: webhook.secret,
            allowed_updates: [...ALLOWED_UPDATES],
          });
        } else {
          // A webhook left from an earlier deployment would make every getUpdates fail (409).
          await bot.api.deleteWebhook().catch((error) => {
            logger.warn({ error: errorMessage(error) }, "deleteWebhook failed; polling anyway");
          });
          runner = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] }, silent: true } });
          runner.task()?.catch((error: unknown) => {
            logger.error(
              { error: errorMessage(error) },
              "Telegram long polling stopped (another process polling with this token, or a webhook set?)",
            );
          });
        }
      } catch (error) {
        logger.error({ error: errorMessage(error) }, `Telegram is off: could not start ${mode}`);
        return false;
      }
      logger.info(
        { mode, username: bot.botInfo.username },
        `Telegram bot @${bot.botInfo.username} is on (${mode})`,
      );
      return true;
    },

    /** Stops polling and waits (a little) for the updates being answered; webhook mode has nothing to stop. */
    async stop(): Promise<void> {
      const handle = runner;
      runner = undefined;
      if (!handle) return;
      if (handle.isRunning()) await handle.stop();
      const deadline = Date.now() + DRAIN_MS;
      while (handle.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
  };
}

export type TelegramChannel = ReturnType<typeof createTelegramChannel>;
