import type { z } from "zod";
import type { Logger } from "../../logger.ts";
import {
  apiReplySchema,
  botInfoSchema,
  sentMessageSchema,
  webhookInfoSchema,
  type ZaloBotInfo,
  type ZaloEvent,
  type ZaloSentMessage,
  type ZaloWebhookInfo,
  zaloEventSchema,
} from "./schemas.ts";

export const DEFAULT_ZALO_API_ROOT = "https://bot-api.zaloplatforms.com";

/** The most text one `sendMessage` may carry. */
export const ZALO_MAX_CHARS = 2000;

/** What getUpdates answers when the long poll ended with nothing to deliver. */
const POLL_TIMED_OUT = 408;

export interface ZaloClientOptions {
  token: string;
  /** default Zalo's; a test server otherwise */
  apiRoot?: string;
  /** per request, on top of the long poll's own wait for getUpdates (default 15 s) */
  timeoutMs?: number;
  /** retries after a 429 or a 5xx (default 3) */
  maxRetries?: number;
  /** first wait before a retry, doubled each time (default 500 ms) */
  backoffMs?: number;
  /** the longest wait before a retry, whatever the server asks (default 10 s) */
  maxBackoffMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
}

export type ZaloErrorKind = "api" | "network" | "timeout" | "aborted" | "invalid-reply";

/**
 * A failed Bot API call. Its message names the method and what went wrong, never the URL: the
 * token is part of every URL, and error messages end up in logs.
 */
export class ZaloApiError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly kind: ZaloErrorKind,
    /** Zalo's error_code, or the HTTP status when the reply had none */
    readonly code?: number,
  ) {
    super(message);
    this.name = "ZaloApiError";
  }
}

interface CallOptions {
  /** repeat after a 429 or 5xx (default true) */
  retry?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * A small typed client for the Zalo Bot API: every method a POST of JSON to
 * `<apiRoot>/bot<token>/<method>`, replies checked with zod, 429 and 5xx retried with exponential
 * backoff (or the `retry_after` Zalo asks for), every request under a timeout.
 */
export function createZaloClient(options: ZaloClientOptions) {
  const { token, logger } = options;
  const apiRoot = (options.apiRoot ?? DEFAULT_ZALO_API_ROOT).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxRetries = options.maxRetries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const doFetch = options.fetch ?? globalThis.fetch;

  /** Anything that may have picked up the URL (a fetch error, a server's description) loses the token. */
  const redact = (text: string) => (token ? text.split(token).join("[token]") : text);

  async function call<T>(method: string, body: object, schema: z.ZodType<T>, opts: CallOptions = {}) {
    const retry = opts.retry ?? true;
    for (let attempt = 0; ; attempt++) {
      const signals = [AbortSignal.timeout(opts.timeoutMs ?? timeoutMs)];
      if (opts.signal) signals.push(opts.signal);
      let response: Response;
      let text: string;
      try {
        response = await doFetch(`${apiRoot}/bot${token}/${method}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
        text = await response.text();
      } catch (error) {
        if (opts.signal?.aborted) throw new ZaloApiError(`Zalo ${method}: cancelled`, method, "aborted");
        if (error instanceof Error && error.name === "TimeoutError") {
          throw new ZaloApiError(
            `Zalo ${method}: no reply within ${opts.timeoutMs ?? timeoutMs} ms`,
            method,
            "timeout",
          );
        }
        throw new ZaloApiError(
          `Zalo ${method}: network error (${describeNetworkError(error, redact)})`,
          method,
          "network",
        );
      }

      let reply: z.infer<typeof apiReplySchema> | undefined;
      try {
        const parsed = apiReplySchema.safeParse(JSON.parse(text));
        if (parsed.success) reply = parsed.data;
      } catch {
        // not JSON: reported below with the HTTP status
      }
      if (response.ok && reply?.ok) {
        const result = schema.safeParse(reply.result);
        if (result.success) return result.data;
        throw new ZaloApiError(`Zalo ${method}: unexpected result shape`, method, "invalid-reply");
      }

      const code = reply && !reply.ok && reply.error_code ? reply.error_code : response.status;
      const retryable = code === 429 || (code >= 500 && code <= 599);
      if (retry && retryable && attempt < maxRetries) {
        const asked = reply?.parameters?.retry_after ?? retryAfterHeader(response.headers.get("retry-after"));
        const wait = Math.min(maxBackoffMs, asked !== undefined ? asked * 1000 : backoffMs * 2 ** attempt);
        logger?.warn(
          { method, code, attempt: attempt + 1, waitMs: wait },
          "Zalo API busy or failing; retrying",
        );
        await sleep(wait, opts.signal);
        continue;
      }
      const description = reply?.description ? `: ${redact(reply.description).slice(0, 300)}` : "";
      const shape = reply ? "" : " (the reply was not a Bot API JSON reply)";
      throw new ZaloApiError(`Zalo ${method} failed with ${code}${description}${shape}`, method, "api", code);
    }
  }

  /** getUpdates answers one event, an array of them, or nothing; an event we cannot read is skipped. */
  function eventsFrom(result: unknown): ZaloEvent[] {
    if (result === null || result === undefined) return [];
    const items = Array.isArray(result) ? result : [result];
    const events: ZaloEvent[] = [];
    for (const item of items) {
      const parsed = zaloEventSchema.safeParse(item);
      if (parsed.success) events.push(parsed.data);
      else
        logger?.warn(
          { issues: parsed.error.issues.length },
          "Zalo getUpdates: skipped an event of unknown shape",
        );
    }
    return events;
  }

  const anything = apiReplySchema.shape.result;

  return {
    getMe: () => call<ZaloBotInfo>("getMe", {}, botInfoSchema),

    /**
     * Long polling: waits up to `timeoutSeconds` for events. A poll that ends empty (HTTP or
     * error_code 408) is an empty list, not an error. Not retried here: the polling loop backs off.
     */
    async getUpdates(timeoutSeconds: number, signal?: AbortSignal): Promise<ZaloEvent[]> {
      try {
        const result = await call("getUpdates", { timeout: String(timeoutSeconds) }, anything, {
          retry: false,
          timeoutMs: timeoutSeconds * 1000 + timeoutMs,
          signal,
        });
        return eventsFrom(result);
      } catch (error) {
        if (error instanceof ZaloApiError && error.code === POLL_TIMED_OUT) return [];
        throw error;
      }
    },

    setWebhook: (url: string, secretToken: string) =>
      call("setWebhook", { url, secret_token: secretToken }, anything).then(() => undefined),

    deleteWebhook: () => call("deleteWebhook", {}, anything).then(() => undefined),

    getWebhookInfo: () => call<ZaloWebhookInfo>("getWebhookInfo", {}, webhookInfoSchema.catch({})),

    /** Plain text, 1 to 2,000 characters (split longer replies first: see format.ts). */
    async sendMessage(chatId: string, text: string): Promise<ZaloSentMessage> {
      if (text.length === 0 || text.length > ZALO_MAX_CHARS) {
        throw new RangeError(`a Zalo message holds 1 to ${ZALO_MAX_CHARS} characters, not ${text.length}`);
      }
      return call("sendMessage", { chat_id: chatId, text }, sentMessageSchema.catch({}));
    },

    /** "typing…": sent once, never retried (shown late is worse than not shown), short timeout. */
    sendChatAction: (chatId: string, action: "typing" = "typing") =>
      call("sendChatAction", { chat_id: chatId, action }, anything, { retry: false, timeoutMs: 5_000 }).then(
        () => undefined,
      ),
  };
}

export type ZaloClient = ReturnType<typeof createZaloClient>;

function retryAfterHeader(value: string | null): number | undefined {
  const seconds = value ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** "connect ECONNREFUSED 127.0.0.1:9" rather than undici's bare "fetch failed". */
function describeNetworkError(error: unknown, redact: (s: string) => string): string {
  if (!(error instanceof Error)) return redact(String(error)).slice(0, 200);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return redact(`${error.message}${cause}`).slice(0, 200);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
