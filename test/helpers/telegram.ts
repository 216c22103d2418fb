/**
 * Telegram test fixtures: update shapes as the Bot API sends them (private chat, supergroup,
 * button tap, inline query, document), and a harness that captures the bot's outgoing calls with
 * `bot.api.config.use(...)` and answers them the way Telegram would, without a network.
 */
import type { Bot, Context } from "grammy";
import type { Message, Update, User, UserFromGetMe } from "grammy/types";

export const BOT_TOKEN = "7012345678:AAH-test-token-for-unit-tests-only_x";

export const BOT_INFO: UserFromGetMe = {
  id: 7012345678,
  is_bot: true,
  first_name: "Sổ tay Nghị quyết",
  username: "SoTayNghiQuyetBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

const BOT_USER: User = {
  id: BOT_INFO.id,
  is_bot: true,
  first_name: BOT_INFO.first_name,
  username: BOT_INFO.username,
};

export const LAN: User = {
  id: 123456789,
  is_bot: false,
  first_name: "Lan",
  last_name: "Nguyễn",
  username: "lan_nguyen",
  language_code: "vi",
};
export const MINH: User = {
  id: 223344556,
  is_bot: false,
  first_name: "Minh",
  last_name: "Trần",
  language_code: "vi",
};
export const ADMIN: User = {
  id: 998877665,
  is_bot: false,
  first_name: "Hà",
  username: "ha_quantri",
  language_code: "vi",
};

export const GROUP = { id: -1001987654321, type: "supergroup" as const, title: "Chi bộ Khu phố 3" };

let nextUpdateId = 800_000_000;
let nextMessageId = 100;
const now = () => Math.floor(Date.now() / 1000);

function privateChat(user: User) {
  return {
    id: user.id,
    type: "private" as const,
    first_name: user.first_name,
    ...(user.last_name ? { last_name: user.last_name } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}

/** Entities Telegram attaches: a leading /command, and @mentions. */
function entitiesFor(text: string): Message["entities"] {
  const entities: NonNullable<Message["entities"]> = [];
  const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  if (command) entities.push({ type: "bot_command", offset: 0, length: command[0].length });
  for (const m of text.matchAll(/@[A-Za-z0-9_]{5,}/g)) {
    if (command && m.index === command[0].indexOf("@")) continue;
    entities.push({ type: "mention", offset: m.index ?? 0, length: m[0].length });
  }
  return entities.length ? entities : undefined;
}

export function privateText(text: string, from: User = LAN): Update {
  const entities = entitiesFor(text);
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: now(),
      chat: privateChat(from),
      from,
      text,
      ...(entities ? { entities } : {}),
    },
  } as Update;
}

export function groupText(text: string, options: { from?: User; replyToBot?: boolean } = {}): Update {
  const from = options.from ?? LAN;
  const entities = entitiesFor(text);
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: now(),
      chat: GROUP,
      from,
      text,
      ...(entities ? { entities } : {}),
      ...(options.replyToBot
        ? {
            reply_to_message: {
              message_id: nextMessageId++,
              date: now() - 60,
              chat: GROUP,
              from: BOT_USER,
              text: "Chương trình hành động xác định 12 nhóm nhiệm vụ chủ yếu [1].",
            },
          }
        : {}),
    },
  } as Update;
}

/** A tap on an inline button under the bot's message `messageId`. */
export function buttonTap(
  data: string,
  options: { from?: User; messageId?: number; chat?: "private" | "group" } = {},
): Update {
  const from = options.from ?? LAN;
  const chat = options.chat === "group" ? GROUP : privateChat(from);
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(4_382_000_000_000 + nextUpdateId),
      from,
      chat_instance: "-8239283947283947",
      data,
      message: {
        message_id: options.messageId ?? nextMessageId++,
        date: now(),
        chat,
        from: BOT_USER,
        text: "…",
      },
    },
  } as Update;
}

export function inlineQuery(query: string, from: User = LAN): Update {
  return {
    update_id: nextUpdateId++,
    inline_query: { id: String(9_100_000_000 + nextUpdateId), from, query, offset: "", chat_type: "sender" },
  } as Update;
}

export function documentMessage(
  fileName: string,
  options: { from?: User; size?: number; mime?: string; group?: boolean } = {},
): Update {
  const from = options.from ?? ADMIN;
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: now(),
      chat: options.group ? GROUP : privateChat(from),
      from,
      document: {
        file_name: fileName,
        mime_type: options.mime ?? "text/markdown",
        file_id: `BQACAgUAAxkBAAI${nextUpdateId}`,
        file_unique_id: `AgAD${nextUpdateId}`,
        file_size: options.size ?? 1200,
      },
    },
  } as Update;
}

/** A voice message as Telegram sends it: OGG/Opus, its length in seconds, its size in bytes. */
export function voiceMessage(
  options: { from?: User; seconds?: number; size?: number; group?: boolean } = {},
): Update {
  const from = options.from ?? LAN;
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: now(),
      chat: options.group ? GROUP : privateChat(from),
      from,
      voice: {
        file_id: `AwACAgUAAxkBAAI${nextUpdateId}`,
        file_unique_id: `AgADv${nextUpdateId}`,
        duration: options.seconds ?? 4,
        mime_type: "audio/ogg",
        file_size: options.size ?? 9_600,
      },
    },
  } as Update;
}

export function stickerMessage(from: User = LAN): Update {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: now(),
      chat: privateChat(from),
      from,
      sticker: {
        file_id: "CAACAgIAAxkBAAEB",
        file_unique_id: "AgADBQADwDZPEw",
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    },
  } as Update;
}

export interface ApiCall {
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Bot API payloads and assert on them
  payload: any;
}

/**
 * Captures every Bot API call of `bot` and answers it as Telegram would. `fail[method]` makes
 * that method fail (throw or an error response); `results[method]` overrides the result.
 */
export function captureApi(bot: Bot<Context>) {
  const calls: ApiCall[] = [];
  const fail: Record<string, () => unknown> = {};
  // biome-ignore lint/suspicious/noExplicitAny: results are whatever the test wants Telegram to say
  const results: Record<string, (payload: any) => unknown> = {};
  let messageId = 50_000;
  bot.api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload });
    const failure = fail[method];
    if (failure) {
      const response = failure();
      // biome-ignore lint/suspicious/noExplicitAny: an error response in the Bot API's shape
      return response as any;
    }
    const custom = results[method];
    // biome-ignore lint/suspicious/noExplicitAny: payloads of every method
    const p = payload as any;
    const result = custom
      ? await custom(p)
      : method === "sendMessage" || method === "editMessageText"
        ? {
            message_id: method === "editMessageText" ? p.message_id : messageId++,
            date: now(),
            chat: { id: p.chat_id, type: p.chat_id < 0 ? "supergroup" : "private" },
            from: BOT_USER,
            text: p.text,
          }
        : true;
    // biome-ignore lint/suspicious/noExplicitAny: a successful response in the Bot API's shape
    return { ok: true, result } as any;
  });
  const of = (method: string) => calls.filter((c) => c.method === method);
  return {
    calls,
    fail,
    results,
    of,
    /** the texts of messages sent (and edited into place), in order */
    texts: () =>
      calls
        .filter((c) => c.method === "sendMessage" || c.method === "editMessageText")
        .map((c) => String(c.payload.text)),
    clear: () => {
      calls.length = 0;
    },
  };
}

/** The inline keyboard's buttons of a payload, flattened. */
export function buttons(payload: {
  reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] };
}) {
  return (payload.reply_markup?.inline_keyboard ?? []).flat();
}

export { logSink } from "./log-sink.ts";

/**
 * What Telegram's HTML parse mode accepts from us: only <b>, <i>, <a href="…">, properly nested
 * and closed; "<", ">" and "&" otherwise only as entities. Returns the problems found.
 */
export function telegramHtmlProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z]+)([^>]*)>|<|>|&(?!(?:amp|lt|gt|quot);)/g)) {
    if (m[0] === "<" || m[0] === ">" || m[0] === "&") {
      problems.push(`raw ${m[0]} at ${m.index}`);
      continue;
    }
    const [, closing, name = "", attributes = ""] = m;
    if (!["b", "i", "a"].includes(name)) problems.push(`tag <${name}>`);
    if (closing) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else {
      if (name === "a" && !/^ href="https?:\/\/[^"]*"$/.test(attributes))
        problems.push(`bad <a${attributes}>`);
      if (name !== "a" && attributes) problems.push(`attributes on <${name}>`);
      stack.push(name);
    }
  }
  if (stack.length) problems.push(`unclosed ${stack.join(",")}`);
  return problems;
}
