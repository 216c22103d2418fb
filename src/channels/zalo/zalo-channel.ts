import type { Env, Hono } from "hono";
import { errorMessage } from "../../error-message.ts";
import { QUIZ_MAX_AGE_MS } from "./study.ts";
import type { ZaloChannelDeps } from "./types.ts";
import { mountZaloWebhook } from "./webhook.ts";
import { createZaloBot } from "./zalo-bot.ts";
import { createZaloClient } from "./zalo-client.ts";

export interface ZaloWebhook {
  /** ZALO_WEBHOOK_URL: registered with setWebhook; its path is the route on our server */
  url: string;
  /** ZALO_WEBHOOK_SECRET */
  secret: string;
}

/** How long stop() waits for messages being answered. */
const DRAIN_MS = 8_000;
/** Zalo may repeat a delivery for a while; ids older than this are forgotten. */
const KEEP_DELIVERIES_MS = 3 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
/** A server answering "nothing new" at once must not be polled in a tight loop. */
const MIN_EMPTY_POLL_MS = 500;
/** How often a poller with a full queue looks again for room, and a refusing webhook logs at most. */
const BUSY_CHECK_MS = 1_000;
const BUSY_LOG_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * The Zalo channel as the service runs it: long polling (getUpdates in a loop), or, with a
 * webhook, a route on the service's HTTP server (`mount`, before the server listens) registered
 * with Zalo at `start`. Zalo allows one or the other, not both. A failure to reach Zalo at start is
 * logged and leaves the other channels running.
 */
export function createZaloChannel(deps: ZaloChannelDeps, webhook?: ZaloWebhook) {
  const { logger, options } = deps;
  const client = createZaloClient({ token: deps.token, apiRoot: options.apiRoot, logger, ...options.client });
  const bot = createZaloBot({ ...deps, client });
  const mode = webhook ? "webhook" : "long polling";
  let polling: { controller: AbortController; done: Promise<void> } | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  // A flood refused request by request would flood the log too: one line per BUSY_LOG_MS, with a count.
  let refused = 0;
  let refusedLoggedAt = 0;

  function refuse(count: number) {
    refused += count;
    const now = Date.now();
    if (now - refusedLoggedAt < BUSY_LOG_MS) return;
    logger.warn(
      { refused, pending: bot.pending },
      "zalo webhook: too many messages waiting to be answered; answered 503 so Zalo delivers them again later",
    );
    refused = 0;
    refusedLoggedAt = now;
  }

  function prune() {
    deps.deliveries
      .prune(KEEP_DELIVERIES_MS)
      .catch((error: unknown) =>
        logger.warn({ error: errorMessage(error) }, "zalo: pruning old delivery ids failed"),
      );
    deps.study?.quizSessions
      .prune(QUIZ_MAX_AGE_MS)
      .catch((error: unknown) =>
        logger.warn({ error: errorMessage(error) }, "zalo: pruning abandoned quizzes failed"),
      );
  }

  async function poll(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = options.pollTimeoutSeconds ?? 30;
    const retryMs = options.pollRetryMs ?? 1_000;
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        // Too far behind: the events wait at Zalo (the next getUpdates) rather than in memory here.
        while (!bot.hasRoom() && !signal.aborted) await sleep(BUSY_CHECK_MS, signal);
        if (signal.aborted) break;
        const events = await client.getUpdates(timeoutSeconds, signal);
        failures = 0;
        // Taken from Zalo's queue by this call: they are ours to answer, room or not.
        for (const event of events) void bot.dispatch(event);
        const elapsed = Date.now() - started;
        if (events.length === 0 && elapsed < MIN_EMPTY_POLL_MS)
          await sleep(MIN_EMPTY_POLL_MS - elapsed, signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        const waitMs = Math.min(60_000, retryMs * 2 ** Math.min(failures - 1, 10));
        logger.warn(
          { error: errorMessage(error), failures, waitMs },
          "Zalo getUpdates failed (a webhook still set, or another process polling with this token?); retrying",
        );
        await sleep(waitMs, signal);
      }
    }
  }

  return {
    bot,
    client,
    mode,

    /** Adds the webhook route; call before the server starts listening. */
    mount<E extends Env>(server: Hono<E>) {
      if (!webhook) return;
      mountZaloWebhook(server, {
        path: new URL(webhook.url).pathname,
        secret: webhook.secret,
        logger,
        onEvents: (events) => {
          if (bot.offer(events)) return true;
          refuse(events.length);
          return false;
        },
      });
    },

    /** Connects to Zalo; false (and a logged reason) when it cannot. */
    async start(): Promise<boolean> {
      let name: string;
      try {
        const me = await client.getMe();
        bot.identify(me);
        name = me.account_name ?? me.display_name ?? me.name ?? me.id;
      } catch (error) {
        logger.error(
          { error: errorMessage(error) },
          "Zalo is off: getMe failed (check ZALO_BOT_TOKEN and ZALO_API_ROOT); the web channel keeps running",
        );
        return false;
      }
      prune();
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
      pruneTimer.unref?.();
      try {
        if (webhook) {
          await client.setWebhook(webhook.url, webhook.secret);
        } else {
          // A webhook left from an earlier deployment would keep getUpdates from receiving anything.
          const info = await client.getWebhookInfo().catch(() => undefined);
          if (!info || info.url) {
            await client.deleteWebhook().catch((error: unknown) => {
              logger.warn({ error: errorMessage(error) }, "Zalo deleteWebhook failed; polling anyway");
            });
          }
          const controller = new AbortController();
          polling = { controller, done: poll(controller.signal) };
        }
      } catch (error) {
        clearInterval(pruneTimer);
        logger.error({ error: errorMessage(error) }, `Zalo is off: could not start ${mode}`);
        return false;
      }
      logger.info({ mode, bot: name }, `Zalo bot ${name} is on (${mode})`);
      return true;
    },

    /** Stops polling and waits (a little) for the messages being answered. */
    async stop(): Promise<void> {
      clearInterval(pruneTimer);
      const current = polling;
      polling = undefined;
      if (current) {
        current.controller.abort();
        await current.done;
      }
      await bot.drain(DRAIN_MS);
    },
  };
}

export type ZaloChannel = ReturnType<typeof createZaloChannel>;
