import type { Context, InlineKeyboard } from "grammy";
import type { Message } from "grammy/types";
import type { Logger } from "../../logger.ts";
import { splitHtml } from "./format.ts";

export interface ReplyOptions {
  /** buttons, under the last piece */
  keyboard?: InlineKeyboard;
  /** in groups, the message this answers */
  replyTo?: number;
  /** a message already sent ("Đang soạn…") to be replaced by the first piece */
  placeholder?: Message;
}

/** Said when a reply would otherwise be empty: Telegram refuses empty messages, users deserve text. */
const EMPTY_FALLBACK = "Xin lỗi, mình chưa có câu trả lời cho câu hỏi này.";

/**
 * Sends HTML as one or more messages (split at paragraph boundaries under 4,096 characters),
 * buttons under the last one; the first piece replaces `placeholder` when there is one.
 */
export async function replyHtml(
  ctx: Context,
  html: string,
  options: ReplyOptions = {},
  logger?: Logger,
): Promise<void> {
  const pieces = splitHtml(html);
  if (pieces.length === 0) pieces.push(EMPTY_FALLBACK);
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  for (const [i, text] of pieces.entries()) {
    const last = i === pieces.length - 1;
    const common = {
      parse_mode: "HTML" as const,
      link_preview_options: { is_disabled: true },
      ...(last && options.keyboard ? { reply_markup: options.keyboard } : {}),
    };
    if (i === 0 && options.placeholder) {
      try {
        await ctx.api.editMessageText(chatId, options.placeholder.message_id, text, common);
        continue;
      } catch (error) {
        // Deleted by the user, or too old to edit: send the answer as a new message instead.
        logger?.warn({ err: error }, "could not edit the placeholder; sending the answer as a new message");
        await ctx.api.deleteMessage(chatId, options.placeholder.message_id).catch(() => {});
      }
    }
    // ctx.reply keeps the reply in the forum topic the question came from.
    await ctx.reply(text, {
      ...common,
      ...(i === 0 && options.replyTo
        ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }
        : {}),
    });
  }
}

/**
 * Shows "typing…" until the returned function is called (Telegram clears it after ~5 s, so it is
 * renewed). Its failure is never fatal: the answer matters, the indicator does not.
 */
export function keepTyping(ctx: Context, logger: Logger): () => void {
  const ignore = (error: unknown) => logger.debug({ err: error }, "typing action failed (ignored)");
  const send = () => {
    try {
      ctx.replyWithChatAction("typing").catch(ignore);
    } catch (error) {
      ignore(error);
    }
  };
  send();
  const timer = setInterval(send, 4_500);
  timer.unref?.();
  return () => clearInterval(timer);
}
