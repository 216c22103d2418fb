import { createHash, timingSafeEqual } from "node:crypto";
import { type Bot, type Context, webhookCallback } from "grammy";
import type { Env, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Logger } from "../../logger.ts";

/** An update is a few kilobytes; anything near this is not from Telegram. */
const MAX_UPDATE_BYTES = 1024 * 1024;

/** The least an update must be before grammY sees it. */
const updateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

/** Constant-time comparison; hashing first makes the lengths equal too. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface WebhookOptions {
  bot: Bot<Context>;
  /** the path of TELEGRAM_WEBHOOK_URL */
  path: string;
  secret: string;
  logger: Logger;
  /**
   * Telegram re-sends an update it got no answer to: past this the request is answered and the
   * update finishes in the background (a generated answer can take longer).
   */
  timeoutMs?: number;
}

/**
 * Mounts the webhook on the service's own HTTP server: POST `path`, with Telegram's
 * `X-Telegram-Bot-Api-Secret-Token` header equal to the secret (else 401, before the body is
 * read), a JSON body that is an update (else 400), handled by grammY's `webhookCallback`.
 */
export function mountTelegramWebhook<E extends Env>(server: Hono<E>, options: WebhookOptions): void {
  const { bot, path, secret, logger } = options;
  const handle = webhookCallback(bot, "hono", {
    secretToken: secret,
    onTimeout: "return",
    timeoutMilliseconds: options.timeoutMs ?? 9_000,
  });
  server.post(
    path,
    async (c, next) => {
      if (sameSecret(c.req.header("x-telegram-bot-api-secret-token"), secret)) return next();
      logger.warn({ path }, "telegram webhook: request without the right secret token refused");
      return c.json({ error: "unauthorized" }, 401);
    },
    bodyLimit({ maxSize: MAX_UPDATE_BYTES, onError: (c) => c.json({ error: "update too large" }, 413) }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: "the body must be a JSON Telegram update" }, 400);
      }
      if (!updateSchema.safeParse(body).success) {
        return c.json({ error: "the body must be a JSON Telegram update" }, 400);
      }
      return handle(c);
    },
  );
}
