/**
 * A fake Zalo Bot API server over real HTTP on loopback, and Zalo event shapes as the platform
 * sends them (flat objects, string ids, `date` in milliseconds). The server implements getMe,
 * getUpdates (long poll: one queued event as a single object, or 408 when none came in time),
 * setWebhook, deleteWebhook, getWebhookInfo, sendMessage and sendChatAction; it records every
 * call and can be told to fail a method with given statuses first (429, 5xx, 408…).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const ZALO_TOKEN = "3141592653589793238:ZaloTestTokenForUnitTestsOnly_x9Q";

export interface ZaloUser {
  id: string;
  display_name: string;
}
export const LAN: ZaloUser = { id: "6ede9afa66b88fe6d6a9", display_name: "Nguyễn Thị Lan" };
export const MINH: ZaloUser = { id: "a1b2c3d4e5f60718293a", display_name: "Trần Văn Minh" };
export const HUNG: ZaloUser = { id: "0f1e2d3c4b5a69788796", display_name: "Lê Quang Hùng" };

let nextMessage = 0x2d758cb5e222;
const messageId = () => (nextMessage++).toString(16).padStart(20, "0");

interface EventOptions {
  from?: ZaloUser;
  messageId?: string;
  group?: { id: string };
}

function base(event_name: string, extra: Record<string, unknown>, options: EventOptions) {
  const from = options.from ?? LAN;
  return {
    event_name,
    message: {
      message_id: options.messageId ?? messageId(),
      date: Date.now(),
      chat: options.group
        ? { id: options.group.id, chat_type: "GROUP" }
        : { id: from.id, chat_type: "PRIVATE" },
      from: { id: from.id, display_name: from.display_name, is_bot: false },
      ...extra,
    },
  };
}

export const textEvent = (text: string, options: EventOptions = {}) =>
  base("message.text.received", { text }, options);

export const imageEvent = (options: EventOptions = {}) =>
  base(
    "message.image.received",
    { photo_url: "https://zalo-api.zadn.vn/api/emoticon/photo.jpg", caption: "" },
    options,
  );

export const stickerEvent = (options: EventOptions = {}) =>
  base(
    "message.sticker.received",
    { sticker: "bfe458bf64fa8da4d4eb", url: "https://zalo-api.zadn.vn/s.webp" },
    options,
  );

/** A voice message: Zalo sends the address of the AAC recording, not its length. */
export const voiceEvent = (voiceUrl: string, options: EventOptions = {}) =>
  base("message.voice.received", { voice_url: voiceUrl }, options);

export interface RecordedCall {
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Bot API payloads
  body: any;
  /** the token in the URL, to check the client sent the right one */
  token: string;
}

interface Scripted {
  status: number;
  body?: unknown;
  /** wait this long before answering (to make the client time out) */
  delayMs?: number;
}

/**
 * Starts the fake server. `push(event)` queues an event for getUpdates; `failNext(method, …)`
 * answers the next calls of `method` with the given statuses before behaving normally again.
 */
export async function startFakeZalo(options: { token?: string; pollWaitMs?: number } = {}) {
  const token = options.token ?? ZALO_TOKEN;
  const pollWaitMs = options.pollWaitMs ?? 300;
  const calls: RecordedCall[] = [];
  const queue: unknown[] = [];
  const waiting: (() => void)[] = [];
  const scripted = new Map<string, Scripted[]>();
  let webhookUrl = "";
  let sent = 0;

  const reply = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", async () => {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match)
        return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      const [, given = "", method = ""] = match;
      let body: Record<string, unknown> = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return reply(res, 400, { ok: false, error_code: 400, description: "Bad Request" });
      }
      calls.push({ method, body, token: given });
      if (given !== token)
        return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      const script = scripted.get(method)?.shift();
      if (script) {
        if (script.delayMs) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
        if (res.destroyed) return;
        return reply(
          res,
          script.status,
          script.body ?? { ok: false, error_code: script.status, description: "Scripted" },
        );
      }
      switch (method) {
        case "getMe":
          return reply(res, 200, {
            ok: true,
            result: { id: "2718281828459045235", account_name: "bot.SoTayNghiQuyet", account_type: "BASIC" },
          });
        case "getUpdates": {
          if (queue.length === 0) {
            // Long poll: wait for an event, but never as long as the client asked (tests stay fast).
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.min(pollWaitMs, Number(body.timeout ?? 30) * 1000));
              waiting.push(() => {
                clearTimeout(timer);
                resolve();
              });
            });
          }
          const next = queue.shift();
          if (next === undefined)
            return reply(res, 408, { ok: false, error_code: 408, description: "Request timeout" });
          return reply(res, 200, { ok: true, result: next });
        }
        case "setWebhook":
          webhookUrl = String(body.url ?? "");
          return reply(res, 200, { ok: true, result: { url: webhookUrl, updated_at: Date.now() } });
        case "deleteWebhook":
          webhookUrl = "";
          return reply(res, 200, { ok: true, result: { url: "", updated_at: Date.now() } });
        case "getWebhookInfo":
          return reply(res, 200, { ok: true, result: { url: webhookUrl, updated_at: Date.now() } });
        case "sendMessage": {
          const text = body.text;
          if (typeof text !== "string" || text.length === 0 || text.length > 2000) {
            return reply(res, 400, {
              ok: false,
              error_code: 400,
              description: "text must be 1-2000 characters",
            });
          }
          return reply(res, 200, { ok: true, result: { message_id: `sent${++sent}`, date: Date.now() } });
        }
        case "sendChatAction":
          return reply(res, 200, { ok: true, result: {} });
        default:
          return reply(res, 404, { ok: false, error_code: 404, description: "Method not found" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const of = (method: string) => calls.filter((c) => c.method === method);

  return {
    apiRoot,
    calls,
    of,
    /** the texts sent with sendMessage, in order (to one chat, when given) */
    texts: (chatId?: string) =>
      of("sendMessage")
        .filter((c) => chatId === undefined || c.body.chat_id === chatId)
        .map((c) => String(c.body.text)),
    /** queues an event (or any raw result, e.g. an array) for the next getUpdates */
    push(result: unknown) {
      queue.push(result);
      waiting.shift()?.();
    },
    failNext(method: string, ...responses: Scripted[]) {
      scripted.set(method, [...(scripted.get(method) ?? []), ...responses]);
    },
    get webhookUrl() {
      return webhookUrl;
    },
    set webhookUrl(url: string) {
      webhookUrl = url;
    },
    clear() {
      calls.length = 0;
    },
    async close() {
      for (const wake of waiting.splice(0)) wake();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type FakeZalo = Awaited<ReturnType<typeof startFakeZalo>>;
