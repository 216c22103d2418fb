import { autoRetry } from "@grammyjs/auto-retry";
import type { Transformer } from "grammy";

/** Calls not worth repeating: a "typing…" shown seconds late is worse than none. */
const NOT_RETRIED = new Set(["sendChatAction", "answerInlineQuery", "answerCallbackQuery"]);

/**
 * @grammyjs/auto-retry for 429 (waiting the `retry_after` Telegram asks for) and 5xx (backing off),
 * a few times at most, so one update can never hang for ever. Network failures are not retried
 * here: the runner retries getUpdates itself, and a send that failed on the network is reported.
 * Short-lived calls (typing action, answers to button taps and inline queries, which expire)
 * are sent once.
 */
export function telegramRetry(options: { maxRetryAttempts?: number; maxDelaySeconds?: number } = {}) {
  const retry = autoRetry({
    // Two retries: with the plugin's backoff (3 s, 6 s, then a last 12 s wait) a Telegram outage
    // costs an update about 20 s before it is given up and reported.
    maxRetryAttempts: options.maxRetryAttempts ?? 2,
    maxDelaySeconds: options.maxDelaySeconds ?? 60,
    rethrowHttpErrors: true,
  });
  const transformer: Transformer = (prev, method, payload, signal) =>
    NOT_RETRIED.has(method) ? prev(method, payload, signal) : retry(prev, method, payload, signal);
  return transformer;
}
