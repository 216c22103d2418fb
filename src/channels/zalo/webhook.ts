import { createHash, timingSafeEqual } from "node:crypto";
import type { Env, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "../../logger.ts";
import { webhookPayloadSchema, type ZaloEvent } from "./schemas.ts";

/** An event is a few hundred bytes; anything near this is not from Zalo. */
const MAX_EVENT_BYTES = 256 * 1024;

/** Constant-time comparison; hashing first makes the lengths equal too. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface ZaloWebhookOptions {
  /** the path of ZALO_WEBHOOK_URL */
  path: string;
  /** ZALO_WEBHOOK_SECRET, registered with setWebhook; Zalo sends it in X-Bot-Api-Secret-Token */
  secret: string;
  logger: Logger;
  /**
   * Takes the events and returns at once: they are answered in the background. False when the bot
   * is too far behind to take them: none is taken, and the request gets 503 so Zalo delivers them
   * again later.
   */
  onEvents: (events: ZaloEvent[]) => boolean;
}

/** What a 503 asks Zalo to wait before delivering again (a hint: Zalo's retry schedule is its own). */
const RETRY_AFTER_SECONDS = 5;

/**
 * Mounts the webhook on the service's own HTTP server: POST `path` with the right
 * `X-Bot-Api-Secret-Token` (else 401, before the body is read), a JSON event (else 400), at most
 * 256 KB (else 413). The request is acknowledged as soon as the event is queued, so a slow answer
 * never makes Zalo deliver the message again; a bot too far behind to queue it answers 503.
 */
export function mountZaloWebhook<E extends Env>(server: Hono<E>, options: ZaloWebhookOptions): void {
  const { path, secret, logger, onEvents } = options;
  server.post(
    path,
    async (c, next) => {
      if (sameSecret(c.req.header("x-bot-api-secret-token"), secret)) return next();
      logger.warn({ path }, "zalo webhook: request without the right secret token refused");
      return c.json({ ok: false, error: "unauthorized" }, 401);
    },
    bodyLimit({
      maxSize: MAX_EVENT_BYTES,
      onError: (c) => c.json({ ok: false, error: "event too large" }, 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        logger.warn({ path }, "zalo webhook: body is not JSON");
        return c.json({ ok: false, error: "the body must be a JSON Zalo event" }, 400);
      }
      const parsed = webhookPayloadSchema.safeParse(body);
      if (!parsed.success) {
        // The body may hold a user's message: log its shape problems, not its content.
        logger.warn(
          { path, issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.code}`).slice(0, 5) },
          "zalo webhook: body is not a Zalo event",
        );
        return c.json({ ok: false, error: "the body must be a JSON Zalo event" }, 400);
      }
      if (!onEvents(parsed.data)) {
        c.header("Retry-After", String(RETRY_AFTER_SECONDS));
        return c.json({ ok: false, error: "busy, deliver again later" }, 503);
      }
      return c.json({ ok: true });
    },
  );
}
